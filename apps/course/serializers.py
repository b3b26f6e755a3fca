"""Output shapes of the course API; prices are 2-decimal strings."""
from rest_framework import serializers

from .models import Course


class CourseSerializer(serializers.ModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = Course
        fields = ["id", "name", "brief", "price", "level", "level_display", "lessons", "teacher"]


class CourseDetailSerializer(CourseSerializer):
    """A course as the caller sees it: `purchased` from context["owned_ids"] (one query a page)."""

    purchased = serializers.SerializerMethodField()

    class Meta(CourseSerializer.Meta):
        fields = CourseSerializer.Meta.fields + ["purchased"]

    def get_purchased(self, course) -> bool:
        return course.pk in self.context.get("owned_ids", ())


class OwnedCourseSerializer(CourseSerializer):
    purchased_at = serializers.DateTimeField(read_only=True)

    class Meta(CourseSerializer.Meta):
        fields = CourseSerializer.Meta.fields + ["purchased_at"]
