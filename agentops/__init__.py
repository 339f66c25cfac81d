"""agentops: plain-language commands in, reviewed Pulumi changes out."""

__version__ = "0.1.0"
