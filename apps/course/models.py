"""Courses, and a student's access to the courses an order paid for."""
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models


class Course(models.Model):
    """A course on the shop's shelf."""

    class Level(models.IntegerChoices):
        BEGINNER = 0, "初级"
        INTERMEDIATE = 1, "中级"
        ADVANCED = 2, "高级"

    name = models.CharField("课程名称", max_length=128, unique=True)
    brief = models.TextField("课程简介", blank=True, default="")
    price = models.DecimalField("价格", max_digits=10, decimal_places=2,
                                validators=[MinValueValidator(Decimal("0.01"))])
    level = models.SmallIntegerField("难度", choices=Level.choices, default=Level.BEGINNER)
    lessons = models.PositiveIntegerField("课时数", default=0)
    teacher = models.CharField("讲师", max_length=64, blank=True, default="")
    is_on_sale = models.BooleanField("上架", default=True)
    display_order = models.IntegerField("排序", default=0)
    created_time = models.DateTimeField("创建时间", auto_now_add=True)
    updated_time = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        db_table = "luffy_course"
        ordering = ["display_order", "id"]
        verbose_name = "课程"
        verbose_name_plural = "课程"

    def __str__(self):
        return f"{self.name} ¥{self.price}"


class UserCourse(models.Model):
    """A student may study a course because an order paid for it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="owned_courses", verbose_name="学生")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="owners",
                               verbose_name="课程")
    order = models.ForeignKey("order.Order", on_delete=models.PROTECT, related_name="grants",
                              verbose_name="订单")
    created_time = models.DateTimeField("开通时间", auto_now_add=True)

    class Meta:
        db_table = "luffy_user_course"
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="uniq_user_course")]
        verbose_name = "已购课程"
        verbose_name_plural = "已购课程"

    def __str__(self):
        return f"{self.user_id} → {self.course_id}"
