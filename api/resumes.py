"""A candidate's resume versions: recruiters upload one (``multipart/form-data``, the API's one
body that is not JSON); whoever may see the candidate lists them. Every upload is kept and
the newest is the current one (``candidates.services.resume_add``); the files themselves are
downloaded from the candidate's page, after the same access check."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import exceptions, generics, parsers, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response

import access
from api.errors import Refused
from api.permissions import Allows
from candidates import services
from candidates.models import Candidate, ResumeVersion


class ResumeVersionOut(serializers.ModelSerializer):
    uploaded_by = serializers.SerializerMethodField()
    download = serializers.SerializerMethodField()

    class Meta:
        model = ResumeVersion
        fields = ["id", "original_name", "size", "uploaded_by", "uploaded_at", "download"]

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_uploaded_by(self, version: ResumeVersion) -> int | None:
        """The uploader's user id (null once that person is gone)."""
        return version.uploaded_by_id

    @extend_schema_field(serializers.CharField())
    def get_download(self, version: ResumeVersion) -> str:
        """The page that streams the file (as an attachment, after the access check)."""
        return reverse("resume_download", args=[version.candidate_id, version.pk])


class ResumeUpload(serializers.Serializer):
    file = serializers.FileField(
        help_text="A PDF (checked by its content), at most RESUME_MAX_BYTES (10 MB)."
    )


def _visible_candidate(request: Request, pk: int) -> Candidate:
    """The candidate, or 404 for one the requester may not see (nothing tells it exists)."""
    return get_object_or_404(access.visible_candidates(user=request.user), pk=pk)


class CandidateResumes(generics.ListAPIView):
    """The candidate's resume versions, newest (the current one) first: for whoever may see
    the candidate (404 otherwise)."""

    serializer_class = ResumeVersionOut
    filter_backends: list[Any] = []

    def get_permissions(self) -> list[Any]:
        return [Allows(access.works_with_candidates)]

    def get_queryset(self) -> QuerySet[ResumeVersion]:
        if getattr(self, "swagger_fake_view", False):
            return ResumeVersion.objects.none()
        candidate = _visible_candidate(self.request, self.kwargs["pk"])
        return ResumeVersion.objects.filter(candidate=candidate).order_by("-uploaded_at", "-id")


class CandidateResumeUpload(generics.GenericAPIView):
    serializer_class = ResumeUpload
    parser_classes = [parsers.MultiPartParser]

    def get_permissions(self) -> list[Any]:
        return [Allows(access.can_manage_candidates)]

    @extend_schema(request={"multipart/form-data": ResumeUpload}, responses={201: ResumeVersionOut})
    def post(self, request: Request, pk: int) -> Response:
        """Upload a resume (recruiters): a new version, the candidate's current resume from
        now on; the earlier ones are kept, and the history gets ``resume_uploaded`` (the
        first) or ``resume_replaced``. A file that is not a PDF by its content is 400
        ``not_pdf``, one over the limit 400 ``too_large``; nothing is changed."""
        candidate = _visible_candidate(request, pk)
        if not access.can_upload_resume(request.user, candidate):
            raise exceptions.PermissionDenied
        serializer = ResumeUpload(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            version = services.resume_add(
                candidate=candidate, upload=serializer.validated_data["file"], by=request.user
            )
        except services.CandidateRefused as refused:
            raise Refused(refused.code, refused.message, status.HTTP_400_BAD_REQUEST) from refused
        return Response(ResumeVersionOut(version).data, status=status.HTTP_201_CREATED)
