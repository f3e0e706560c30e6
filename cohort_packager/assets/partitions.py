"""The dynamic partitions of the report assets: one partition per extraction job GUID."""

from dagster import DynamicPartitionsDefinition

extractions = DynamicPartitionsDefinition(name="extractions")
