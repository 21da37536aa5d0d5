"""Messages to people (e-mail, SMS, Zalo ZNS), their Vietnamese templates and opt-outs.

A message is recorded before it is sent and knows nothing of who the person is in cccd: the
callers (bookings, tickets, dossiers) give an address, a template code, a context and an event
key. The event key is unique, so one event never makes two messages.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from cccd.units.models import Unit


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("SMS")
    ZNS = "zns", _("Zalo ZNS")


class MessageTemplate(models.Model):
    """Reference data: the Vietnamese text per code and channel (`cccd load_message_templates`
    loads notify/data/message_templates.json; an administrator may edit them in the admin).
    Placeholders are `{name}`; ZNS sends the values to its own template `provider_template_id`."""

    code = models.CharField(_("code"), max_length=64)
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    body = models.TextField(_("text"))
    provider_template_id = models.CharField(_("provider template"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("message template")
        verbose_name_plural = _("message templates")
        constraints = [
            models.UniqueConstraint(fields=["code", "channel"], name="notify_template_code_channel")
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.channel})"


class OptOut(models.Model):
    """An address that asked for no more messages on a channel: its messages are suppressed."""

    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    class Meta:
        verbose_name = _("opt-out")
        verbose_name_plural = _("opt-outs")
        constraints = [
            models.UniqueConstraint(fields=["channel", "address"], name="notify_optout_address")
        ]

    def __str__(self) -> str:
        return f"{self.channel} opt-out"


class Message(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("queued")
        SENDING = "sending", _("sending")
        SENT = "sent", _("sent")
        DELIVERED = "delivered", _("delivered")
        FAILED = "failed", _("failed")
        SUPPRESSED = "suppressed", _("suppressed")

    unit = models.ForeignKey(Unit, models.PROTECT, related_name="+", verbose_name=_("unit"))
    channel = models.CharField(_("channel"), max_length=8, choices=Channel.choices)
    address = models.CharField(_("address"), max_length=254)
    template_code = models.CharField(_("template"), max_length=64)
    subject = models.CharField(_("subject"), max_length=200, blank=True)
    text = models.TextField(_("text"))
    template_data = models.JSONField(_("template values"), default=dict)
    event_key = models.CharField(_("event key"), max_length=200, unique=True)
    urgent = models.BooleanField(_("urgent"), default=False)
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default="queued")
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    next_attempt_at = models.DateTimeField(_("next attempt"), null=True, blank=True)
    lease_until = models.DateTimeField(_("lease until"), null=True, blank=True)
    lease_token = models.CharField(max_length=32, blank=True)
    provider_id = models.CharField(_("provider message id"), max_length=128, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        indexes = [models.Index(fields=["state", "next_attempt_at"], name="notify_due")]

    def __str__(self) -> str:
        return f"{self.template_code} {self.channel} #{self.pk}"
