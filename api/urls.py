"""The API under /api/: resources, the OpenAPI schema and its interactive docs."""

from __future__ import annotations

from django.urls import include, path, re_path
from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework import exceptions
from rest_framework.decorators import api_view, authentication_classes, permission_classes
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from api.availability import (
    CapacityView,
    ExceptionDetail,
    ExceptionList,
    FreeTimeView,
    SlotDetail,
    SlotList,
    WeeklyHoursView,
)
from api.bank import QuestionViewSet, TopicViewSet
from api.cabinet import DecisionViewSet, ReasonViewSet, TeamViewSet, WeeklyStatistics
from api.candidates import CandidateViewSet
from api.interviews import InterviewViewSet, PlanRoundViewSet, PositionPlan, RoundViewSet
from api.pipeline import PositionViewSet, VendorViewSet
from api.resumes import CandidateResumes, CandidateResumeUpload
from api.scheduling import RunViewSet, ScheduledViewSet
from api.sessions import SessionViewSet
from api.users import UserViewSet
from api.video_interviews import QuestionSetViewSet, VideoInterviewViewSet, VideoInvitationViewSet
from api.video_reviews import VideoReviewAnswerViewSet, VideoReviewInvitationViewSet

router = SimpleRouter()
router.register("topics", TopicViewSet, basename="api-topic")
router.register("questions", QuestionViewSet, basename="api-question")
router.register("candidates", CandidateViewSet, basename="api-candidate")
router.register("sessions", SessionViewSet, basename="api-session")
router.register("positions", PositionViewSet, basename="api-position")
router.register("vendors", VendorViewSet, basename="api-vendor")
router.register("plan-rounds", PlanRoundViewSet, basename="api-plan-round")
router.register("interviews", InterviewViewSet, basename="api-interview")
router.register("rounds", RoundViewSet, basename="api-round")
router.register("users", UserViewSet, basename="api-user")
router.register("decisions", DecisionViewSet, basename="api-decision")
router.register("teams", TeamViewSet, basename="api-team")
router.register("rejection-reasons", ReasonViewSet, basename="api-rejection-reason")
router.register("scheduling/runs", RunViewSet, basename="api-scheduler-run")
router.register("scheduling/interviews", ScheduledViewSet, basename="api-scheduled-interview")
router.register("video-interviews", VideoInterviewViewSet, basename="api-video-interview")
router.register("video-invitations", VideoInvitationViewSet, basename="api-video-invitation")
router.register("video-question-sets", QuestionSetViewSet, basename="api-video-question-set")
router.register(
    "video-interviews/invitations",
    VideoReviewInvitationViewSet,
    basename="api-video-review-invitation",
)
router.register(
    "video-interviews/answers", VideoReviewAnswerViewSet, basename="api-video-review-answer"
)


class Docs(SpectacularSwaggerSplitView):
    """Swagger UI with no inline script or style: its set-up script is served from this same
    address (``?script``), so the site's Content-Security-Policy holds here too."""

    template_name = "api/swagger_ui.html"


@extend_schema(exclude=True)
@api_view(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"])
@authentication_classes([])
@permission_classes([])
def not_found(request: Request) -> Response:
    raise exceptions.NotFound()


urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api_schema"),
    path("docs/", Docs.as_view(url_name="api_schema"), name="api_docs"),
    path("statistics/weekly/", WeeklyStatistics.as_view(), name="api-statistics-weekly"),
    path(
        "candidates/<int:pk>/resume/",
        CandidateResumeUpload.as_view(),
        name="api-candidate-resume",
    ),
    path("candidates/<int:pk>/resumes/", CandidateResumes.as_view(), name="api-candidate-resumes"),
    re_path(r"^positions/(?P<pk>[0-9]{1,18})/plan/$", PositionPlan.as_view(), name="api-plan"),
    path("availability/slots/", SlotList.as_view(), name="api-availability-slots"),
    re_path(
        r"^availability/slots/(?P<pk>[0-9]{1,18})/$",
        SlotDetail.as_view(),
        name="api-availability-slot",
    ),
    path("availability/weekly-hours/", WeeklyHoursView.as_view(), name="api-availability-hours"),
    path("availability/exceptions/", ExceptionList.as_view(), name="api-availability-exceptions"),
    re_path(
        r"^availability/exceptions/(?P<pk>[0-9]{1,18})/$",
        ExceptionDetail.as_view(),
        name="api-availability-exception",
    ),
    path("availability/capacity/", CapacityView.as_view(), name="api-availability-capacity"),
    path("availability/free-time/", FreeTimeView.as_view(), name="api-availability-free-time"),
    path("", include(router.urls)),
    # Anything else under /api/ is a 404 in the API's error body, not the HTML page.
    re_path(r"^[\s\S]*$", not_found),
]
