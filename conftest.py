import os

# Tests run with DEBUG off, as production does; a throwaway key is enough.
os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
