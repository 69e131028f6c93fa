"""One endpoint: POST a complaint (JSON, or multipart with files in repeated `evidence` parts) -> 201 {code}."""

import secrets
import uuid

from django.core.files.storage import default_storage
from rest_framework import generics, serializers
from rest_framework.parsers import JSONParser, MultiPartParser

from bench.baseline.models import BareComplaint

CODE_ALPHABET = "23456789abcdefghjkmnpqrstuvwxyz"


class BareComplaintSerializer(serializers.ModelSerializer):
    evidence = serializers.ListField(child=serializers.FileField(), required=False, write_only=True)

    class Meta:
        model = BareComplaint
        exclude = ["id", "uuid", "files", "submitted_at"]
        read_only_fields = ["code"]

    def create(self, validated_data):
        uploads = validated_data.pop("evidence", [])
        # Stored under generated names, as Redress stores evidence.
        names = [default_storage.save(f"{uuid.uuid4().hex}.jpg", upload) for upload in uploads]
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))
        return BareComplaint.objects.create(uuid=uuid.uuid4(), code=code, files=names, **validated_data)


class BareComplaintCreate(generics.CreateAPIView):
    serializer_class = BareComplaintSerializer
    parser_classes = [JSONParser, MultiPartParser]
