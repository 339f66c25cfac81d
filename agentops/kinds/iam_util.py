"""Small helpers several kinds' renderers share."""

from __future__ import annotations

import json


def assume_role(service: str) -> str:
    """The trust policy that lets an AWS service assume a role."""
    return json.dumps(
        {
            "Version": "2012-10-17",
            "Statement": [
                {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}
            ],
        }
    )
