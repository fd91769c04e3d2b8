"""Settings for the test suite: the project's settings with a fast password hasher.

PBKDF2 at Django's default work factor costs ~0.4 s a password on this machine and the
suite creates hundreds of users (the demo alone has five), so the tests hash with MD5, as
cookiecutter-django's test settings do. Real hashing is checked by one test
(tests/config/test_sessions_and_passwords.py) that switches Django's default hashers back on.
"""

from config.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Uploaded import files go to a throwaway folder, not the developer's var/media.
import tempfile  # noqa: E402

MEDIA_ROOT = tempfile.mkdtemp(prefix="station-map-test-media-")
