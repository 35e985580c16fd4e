"""Settings common to every service, read from environment variables (pydantic-settings).

Each service subclasses CommonSettings with its own fields. Defaults are the embedded local mode:
SQLite, local files, the embedded session store, and well-known local tokens. In production every
secret must be set explicitly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from shared.routes import SERVICES

LOCAL_INTERNAL_TOKEN = "local-internal-token"
LOCAL_ADMIN_TOKEN = "local-admin-token"
LOCAL_TWILIO_AUTH_TOKEN = "local-twilio-auth-token"


class CommonSettings(BaseSettings):
    """Configuration every service reads; one field per environment variable of the same name."""

    model_config = SettingsConfigDict(extra="ignore", frozen=True)

    environment: Literal["local", "test", "production"] = Field(
        "local", description="local (embedded defaults), test, or production (all secrets required)"
    )
    database_url: str = Field("sqlite:///var/receptionist.db", description="SQLAlchemy URL")
    redis_url: str | None = Field(None, description="Redis URL; unset = embedded session store")
    s3_bucket: str | None = Field(None, description="S3 bucket; unset = LOCAL_DATA_DIR")
    aws_region: str = "us-east-1"
    s3_endpoint_url: str | None = None
    local_data_dir: Path = Field(Path("var"), description="where local mode keeps files")
    public_base_url: str | None = Field(
        None, description="public https base URL Twilio calls; signatures are checked against it"
    )
    internal_api_token: SecretStr = SecretStr(LOCAL_INTERNAL_TOKEN)
    admin_api_token: SecretStr = SecretStr(LOCAL_ADMIN_TOKEN)
    twilio_auth_token: SecretStr = SecretStr(LOCAL_TWILIO_AUTH_TOKEN)
    service_url_template: str | None = Field(
        None,
        description="base URL of other services, e.g. http://{service}:8080 ({service} is dashed); "
        "unset = in-process dispatch (local all-in-one)",
    )
    service_urls: dict[str, str] = Field(
        default_factory=dict,
        description="base URLs of particular services, ahead of the template, as JSON in SERVICE_URLS, e.g. "
        '{"calendly": "http://127.0.0.1:8084"} (services listening on different ports of one host)',
    )
    http_timeout_seconds: float = Field(2.0, gt=0)
    http_connect_timeout_seconds: float = Field(0.5, gt=0)
    http_retries: int = Field(2, ge=0, le=5)
    turn_deadline_seconds: float = Field(
        2.5, gt=0, description="time budget of one Twilio webhook turn, internal calls and retries included"
    )
    clinic_cache_ttl_seconds: int = Field(300, ge=0)
    schedule_freshness_seconds: float = Field(
        2.0, ge=0, description="how often cached clinics and doctors are checked against knowledge_base's schedule "
        "versions, so an applied schedule reaches calls and slots within this many seconds (0: on every lookup)"
    )
    cache_max_entries: int = Field(
        4096, ge=1, description="entries each in-process lookup cache (clinics, doctors, voices) keeps; "
        "when full the least recently used goes first, so size it to the chain (e.g. its number of doctors)",
    )
    session_ttl_seconds: int = Field(86400, gt=0)
    log_level: str = "INFO"
    log_format: Literal["json", "text"] = "json"
    sentry_dsn: str | None = None
    metrics_port: int | None = Field(
        None, ge=1, le=65535, description="port of /metrics in background workers (web services serve it on PORT)"
    )
    say_voice: str = Field("Polly.Joanna", description="Twilio <Say> voice when no audio URL")
    patient_data_keys: SecretStr | None = Field(
        None, description="keys that encrypt patient data at rest, as JSON {key id: base64 key} (KMS-wrapped when "
        "PATIENT_DATA_KMS_KEY_ID is set); unset outside production = keys generated into LOCAL_DATA_DIR",
    )
    patient_data_key_id: str | None = Field(
        None, description="the data key new values are encrypted with (needed when PATIENT_DATA_KEYS has several)")
    patient_index_keys: SecretStr | None = Field(
        None, description="keys of the blind indexes (keyed hashes phone numbers are looked up by), same format")
    patient_index_key_id: str | None = Field(
        None, description="the index key new hashes use (needed when PATIENT_INDEX_KEYS has several)")
    patient_data_kms_key_id: str | None = Field(
        None, description="KMS key (ARN or alias) that wraps the patient data and index keys; required in production",
    )

    @model_validator(mode="after")
    def _know_every_service_url(self) -> CommonSettings:
        unknown = sorted(set(self.service_urls) - set(SERVICES))
        if unknown:
            raise ValueError(f"SERVICE_URLS names unknown services {unknown}; known: {', '.join(SERVICES)}")
        return self

    @model_validator(mode="after")
    def _require_real_secrets_in_production(self) -> CommonSettings:
        if self.environment != "production":
            return self
        local_values = {LOCAL_INTERNAL_TOKEN, LOCAL_ADMIN_TOKEN, LOCAL_TWILIO_AUTH_TOKEN}
        for name in ("internal_api_token", "admin_api_token", "twilio_auth_token"):
            if getattr(self, name).get_secret_value() in local_values:
                raise ValueError(f"{name.upper()} must be set in production")
        if self.database_url.startswith("sqlite"):
            raise ValueError("DATABASE_URL must point at Postgres in production")
        if not self.redis_url:
            raise ValueError("REDIS_URL must be set in production")
        if not (self.public_base_url or "").startswith("https://"):
            # Without it the URL a signature is checked against would come from the request's Host header.
            raise ValueError("PUBLIC_BASE_URL (https) must be set in production")
        return self
