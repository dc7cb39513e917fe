"""Sockets do not outlive a login: sign-out, a password change or deactivation closes the
user's live-session sockets (close code 4410; see docs/protocol.md), and so does deleting the
user. A queryset ``update()`` sends no signal: deactivate users one ``save()`` at a time.

The receivers live here, in the higher app, so ``accounts`` imports nothing of
``sessions_live``. Each only publishes a fact to the user's group after commit; the consumer
closes its socket."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import post_delete, post_save, pre_save

from sessions_live import broadcast


def _revoke(user_id: int, session_key: str | None, reason: str) -> None:
    transaction.on_commit(lambda: broadcast.user_revoked(user_id, session_key, reason))


def on_logged_out(sender: Any, request: Any = None, user: Any = None, **kwargs: Any) -> None:
    if user is None or user.pk is None:
        return
    session = getattr(request, "session", None)
    # Only this browser's sockets: signing out on the laptop leaves the phone signed in.
    key = getattr(session, "session_key", None)
    _revoke(user.pk, key if isinstance(key, str) else None, "signed out")


def on_user_pre_save(sender: Any, instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """Note whether this save changes the password hash or deactivates the user."""
    instance._live_revoke = None
    if raw or instance.pk is None:
        return
    update_fields = kwargs.get("update_fields")
    if update_fields is not None and not {"password", "is_active"} & set(update_fields):
        return  # e.g. the last_login of every sign-in: nothing to look up
    before = sender._default_manager.filter(pk=instance.pk).values("password", "is_active").first()
    if before is None:
        return
    if before["is_active"] and not instance.is_active:
        instance._live_revoke = "deactivated"
    elif before["password"] != instance.password:
        instance._live_revoke = "password changed"


def on_user_saved(sender: Any, instance: Any, created: bool = False, **kwargs: Any) -> None:
    reason = getattr(instance, "_live_revoke", None)
    instance._live_revoke = None
    if reason and not created:
        _revoke(instance.pk, None, reason)


def on_user_deleted(sender: Any, instance: Any, **kwargs: Any) -> None:
    _revoke(instance.pk, None, "deleted")


def connect() -> None:
    user_model = get_user_model()
    user_logged_out.connect(on_logged_out, dispatch_uid="sessions_live.logged_out")
    pre_save.connect(on_user_pre_save, sender=user_model, dispatch_uid="sessions_live.user_pre")
    post_save.connect(on_user_saved, sender=user_model, dispatch_uid="sessions_live.user_post")
    post_delete.connect(on_user_deleted, sender=user_model, dispatch_uid="sessions_live.user_del")
