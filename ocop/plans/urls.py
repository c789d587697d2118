"""/plans/: programme plans, targets and progress; periodic reports."""

app_name = "plans"
urlpatterns: list = []
