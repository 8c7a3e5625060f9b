// After a passkey is registered the session is verified: reload to show the recovery codes.
document.addEventListener("otp_webauthn.register_complete", () => window.location.reload());
