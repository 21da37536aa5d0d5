from django.contrib import admin

from cccd.notify.models import MessageTemplate


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("code", "channel", "subject", "provider_template_id")
    list_filter = ("channel",)
