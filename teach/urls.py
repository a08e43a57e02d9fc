from django.urls import path, register_converter

from classhub.converters import DatabaseId
from teach import views

register_converter(DatabaseId, "id")

app_name = "teach"

urlpatterns = [
    path("", views.teach_home, name="home"),
    path("signed-in/", views.after_sign_in, name="after-sign-in"),
    path("classes/new/", views.class_create, name="class-create"),
    path("classes/<id:class_id>/", views.class_detail, name="class"),
    path("classes/<id:class_id>/archive/", views.class_archive, name="class-archive"),
    path("classes/<id:class_id>/students/add/", views.class_student_add, name="class-student-add"),
    path(
        "classes/<id:class_id>/students/<id:student_id>/remove/",
        views.class_student_remove,
        name="class-student-remove",
    ),
]
