"""factory_boy factories for the models tests need."""
from decimal import Decimal

import factory

from apps.course.models import Course
from apps.user.models import User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"student{n}")
    password = factory.django.Password("pass-word-123")


class CourseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Course

    name = factory.Sequence(lambda n: f"课程 {n}")
    brief = "一门测试课程"
    price = Decimal("99.00")
    lessons = 10
    teacher = "Alex"
