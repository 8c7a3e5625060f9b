"""Evidence files: checked by content, bounded, hashed, private, immutable, cleaned (R-EVD-1..4).

``evidence_add`` is the one way a file enters the system, called by the services of every
form that takes evidence, inside their transaction. Decisions, so nobody has to rediscover them:

* **Type by content** (R-EVD-1). The first bytes decide: JPEG, PNG, WebP, GIF, MP4 (the ISO
  family, 3GP included), QuickTime, WebM and PDF are recognised here, by their exact
  signatures, and everything else is refused with a message that says what the file is
  (a program, an archive, a web page or drawing, an office document, a HEIC photo …), named
  with the help of the pure-Python ``filetype`` package so ``make demo`` needs no libmagic.
  The name and the type the browser claims are ignored; a JPEG named ``.pdf`` is a photo.
* **Polyglots** are files that are two things at once. Refused: any file that ends with a ZIP
  directory (a JPEG that is also a ZIP, a GIF that is also a JAR); any file with a web page,
  script or PHP inside, or a RAR/7z archive or (outside PDFs) a PDF inside; PNG, GIF and
  WebP with anything but padding after the picture ends; HTML, SVG or scripts in an image's
  metadata (PNG text chunks, JPEG comments/APP segments, GIF and WebP metadata). A JPEG may
  carry data after its end (phones append motion-photo videos and vendor trailers there) as
  long as none of the above is in it: the other party only ever sees a re-encoded copy.
* **PDF with JavaScript** is refused, as are PDFs with launch actions, attached files or
  rich media: evidence is a document to read, and a bank statement saved again ("Print →
  Save as PDF") has none of them. Names inside compressed object streams are not inspected;
  PDFs are never rendered by this site (attachment, ``nosniff``, sandboxing CSP), which is
  what contains the rest.
* **Limits** (R-EVD-2): size per kind, files per dispute (or safety report), pixels per
  image (``EVIDENCE_MAX_IMAGE_PIXELS``) and decoded size in bytes (``EVIDENCE_MAX_DECODED_MB``:
  width × height × bands), both also budgets for all frames of an animation together.
  Every image is decoded fully, every frame, with Pillow's decompression-bomb warning turned
  into an error, but never held whole where the format allows (JPEG at 1/8 scale, PNG
  scanline by scanline: see ``decoding``); a JPEG without its end marker or a PNG without
  IEND is "damaged".
* **Streaming** (R-EVD-3): files are read in chunks of at most 1 MB, never whole. One pass
  computes the SHA-256 and looks for foreign content; structure checks seek; storage copies
  from the file object in chunks (S3: bounded multipart parts).
* **Duplicates**: the same content twice in one dispute (or report), or twice in one upload,
  is refused, naming who added it and when: one copy is all an arbiter needs.
* **Immutable**: nothing here edits or deletes evidence, and ``pre_save``/``pre_delete``
  guards refuse it elsewhere; the background processing may only fill in the thumbnail,
  rendition and ``processed_at``.
* **Renditions** (R-EVD-4): after commit a Celery task makes, for images, a thumbnail and a
  re-encoded copy of at most 12 megapixels with the EXIF orientation applied, colours
  converted to sRGB and every piece of metadata dropped (GPS, camera, comments, XMP); for
  MP4/QuickTime, a copy whose metadata boxes (``udta``, ``meta``, XMP) are overwritten by
  ``free`` boxes of the same size, so the video plays unchanged without its location. The
  buyer and seller see the rendition; only arbiters (and the uploader) get the original. WebM
  and PDF files are served as uploaded: browser and Android recorders put no location in
  WebM, and PDFs are documents.

The package, one job per module: ``sniffing`` (type by content, refusals for foreign files),
``reading`` (bounded reads), ``structure`` (per-format structure walks), ``scanning``
(polyglots, PDF active content), ``decoding`` (the full decode under the limits),
``limits_text`` (what a person is told when a picture is over them), ``checks``
(``check_file``), ``policy`` (limits, rules text, who sees what), ``names``, ``services``
(``evidence_add``, duplicates, immutability guards), ``pictures`` (a photo's rendition and
thumbnail, from a reduced decode, at most 12 megapixels), ``renditions`` (``evidence_process``,
video metadata edits); and the web side: ``uploads`` (the upload handler), ``forms``,
``views``, ``urls``. Importing the package connects the immutability guards; the names used
elsewhere are importable from ``arbitration.evidence`` (the web modules are imported by path,
so services that import this package never load forms or views).
"""

from arbitration.evidence.checks import CheckedFile, check_file, check_files
from arbitration.evidence.errors import EvidenceImmutable, EvidenceRejected
from arbitration.evidence.names import download_name, safe_name
from arbitration.evidence.policy import (
    is_evidence_staff,
    largest_size_limit,
    max_image_pixels,
    may_see_original,
    needs_rendition,
    rules_text,
    size_limit,
    visible_evidence,
)
from arbitration.evidence.reading import CHUNK, MB
from arbitration.evidence.renditions import evidence_process, evidence_unprocessed
from arbitration.evidence.services import PROCESSING_FIELDS, evidence_add, evidence_remaining
from arbitration.evidence.sniffing import ACCEPT, ALLOWED, EXTENSIONS, HEAD, sniff

__all__ = [
    "ACCEPT",
    "ALLOWED",
    "CHUNK",
    "EXTENSIONS",
    "HEAD",
    "MB",
    "PROCESSING_FIELDS",
    "CheckedFile",
    "EvidenceImmutable",
    "EvidenceRejected",
    "check_file",
    "check_files",
    "download_name",
    "evidence_add",
    "evidence_process",
    "evidence_remaining",
    "evidence_unprocessed",
    "is_evidence_staff",
    "largest_size_limit",
    "max_image_pixels",
    "may_see_original",
    "needs_rendition",
    "rules_text",
    "safe_name",
    "size_limit",
    "sniff",
    "visible_evidence",
]
