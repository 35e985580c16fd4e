"""staff_console settings: sessions, lockout, and the ALB's OIDC identity in production."""

from pydantic import Field

from shared.settings import CommonSettings


class StaffConsoleSettings(CommonSettings):
    """Settings for the staff console."""

    staff_session_idle_minutes: int = Field(30, ge=1, le=720, description="a session unused this long ends")
    staff_session_max_hours: int = Field(12, ge=1, le=72, description="a session ends this long after login anyway")
    staff_login_max_failures: int = Field(5, ge=1, description="wrong passwords in a row before the account locks")
    staff_lockout_minutes: int = Field(15, ge=1, description="how long a locked account stays locked")
    staff_cookie_secure: bool | None = Field(
        None, description="Secure cookies (unset = everywhere except local mode, which is plain http on 127.0.0.1)")
    staff_oidc: bool = Field(False, description="trust the ALB's OIDC identity (x-amzn-oidc-data) instead of passwords")
    staff_oidc_signer: str | None = Field(None, description="the ALB's ARN, which must have signed the identity")
    staff_oidc_keys: dict[str, str] = Field(
        default_factory=dict, description="ALB public keys (PEM) by key id; unset = fetched from staff_oidc_key_url")
    staff_oidc_key_url: str = Field("https://public-keys.auth.elb.us-east-1.amazonaws.com/{kid}",
                                    description="where the ALB's public keys are published")

    @property
    def cookies_secure(self) -> bool:
        """Whether the session cookie is marked Secure."""
        return self.staff_cookie_secure if self.staff_cookie_secure is not None else self.environment != "local"
