"""The single exception the message layer raises for a delivery it refuses."""


class InvalidMessage(ValueError):
    """A delivery that must be rejected; `reason` names the field and what was expected.

    Reasons never quote identifiable content, so they may be logged and stored as they are.
    """

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason
