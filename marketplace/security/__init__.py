"""The staff second factor (R-OPS-1): TOTP, passkeys and security keys, recovery codes.

django-otp keeps the devices and marks a session verified; django-otp-webauthn adds passkeys.
``middleware.StaffSecondFactorMiddleware`` is the one place that refuses staff without a verified
device; ``devices`` holds the services (enrol, verify, reset); ``views`` the enrolment and
verification pages. Buyers and sellers are never asked.
"""
