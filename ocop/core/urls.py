from django.urls import path

from . import notification_views

app_name = "core"

urlpatterns = [
    path("notifications/", notification_views.NotificationListView.as_view(), name="notifications"),
    path("notifications/settings/", notification_views.notification_settings, name="notification_settings"),
    path("notifications/read-all/", notification_views.notification_read_all, name="notifications_read_all"),
    path("notifications/<int:pk>/read/", notification_views.notification_read, name="notification_read"),
]
