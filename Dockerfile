FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
# Static files are collected at build time; the key is a throwaway.
RUN SECRET_KEY=build-only python manage.py collectstatic --noinput \
    && useradd --create-home desk && mkdir -p var && chown desk var
USER desk
EXPOSE 8000
