app_name = "representation"

urlpatterns = []
