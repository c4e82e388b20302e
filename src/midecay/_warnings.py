"""Warning categories for legal but unreliable input."""


class UnreliableEstimateWarning(UserWarning):
    """The input is valid, but the estimate it gives is dominated by bias or noise."""
