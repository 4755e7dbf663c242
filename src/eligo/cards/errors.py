"""Card-scanning errors: each bad upload gets a specific code, status and a fix-it message.

    EligoError
    └── InvalidImage (422 invalid_image)              any upload we cannot scan
        ├── EmptyImage (422 empty_image)              zero bytes
        ├── TruncatedImage (422 truncated_image)      the file stops mid-image
        ├── CorruptImage (422 corrupt_image)          decodes to garbage / broken structure
        ├── ImageTooSmall (422 image_too_small)       too few pixels to read a card
        ├── NotAnImage (415 not_an_image)             not a picture at all
        ├── UnsupportedImageFormat (415 ...)          a picture, but not JPEG/PNG/WebP/HEIC
        └── ImageTooLarge (413 image_too_large)       more pixels than allowed
            └── DecompressionBomb (413 decompression_bomb)

Messages never echo image content or metadata; they say what to send instead.
"""

from __future__ import annotations

from eligo.errors import EligoError


class InvalidImage(EligoError):
    code = "invalid_image"
    http_status = 422
    default_message = (
        "The upload is not an image we can scan. Send a JPEG, PNG, WebP or HEIC photo."
    )


class EmptyImage(InvalidImage):
    code = "empty_image"
    http_status = 422
    default_message = "The image file is empty (0 bytes). Attach the photo again."


class TruncatedImage(InvalidImage):
    code = "truncated_image"
    http_status = 422
    default_message = (
        "The image file is incomplete (it ends before the picture does). "
        "Upload it again or take a new photo."
    )


class CorruptImage(InvalidImage):
    code = "corrupt_image"
    http_status = 422
    default_message = "The image file is damaged and cannot be decoded. Take a new photo."


class ImageTooSmall(InvalidImage):
    code = "image_too_small"
    http_status = 422
    default_message = "The image is too small to read. Send a photo at least 300 pixels wide."


class NotAnImage(InvalidImage):
    code = "not_an_image"
    http_status = 415
    default_message = (
        "The upload is not an image. Send a JPEG, PNG, WebP or HEIC photo of the card."
    )


class UnsupportedImageFormat(InvalidImage):
    code = "unsupported_image_format"
    http_status = 415
    default_message = "This image format is not supported. Send a JPEG, PNG, WebP or HEIC photo."


class ImageTooLarge(InvalidImage):
    code = "image_too_large"
    http_status = 413
    default_message = "The image has too many pixels. Send a photo of at most 40 megapixels."


class DecompressionBomb(ImageTooLarge):
    code = "decompression_bomb"
    http_status = 413
    default_message = (
        "The image declares far more pixels than its file size can hold (a decompression bomb). "
        "Send an ordinary photo of at most 40 megapixels."
    )
