"""Settings for the test suite: production settings plus test defaults.

The environment still wins, so CI points the same suite at PostgreSQL and
Redis with DATABASE_URL and REDIS_URL.
"""

import os

# Tests run with DEBUG off, as production does, even beside a development
# .env; a throwaway key is enough.
os.environ["DEBUG"] = "false"
os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")

from upme_social.settings import *  # noqa: F403 -- extend the real settings

# Hashing passwords fast keeps persona fixtures cheap.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES["staticfiles"]["BACKEND"] = (  # noqa: F405 -- from the star import
    "django.contrib.staticfiles.storage.StaticFilesStorage"
)
