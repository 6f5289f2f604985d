"""The English Indices of Deprivation 2025 as the pages show them: the measures and their deciles."""
from __future__ import annotations

# Number of LSOAs (2021) ranked by the English Indices of Deprivation 2025.
IMD_LSOAS_ENGLAND = 33755

# the overall index and its seven domains: the column prefix in the build, and the name
DEPRIVATION_MEASURES = (
    ("imd", "Index of Multiple Deprivation (overall)"), ("income", "Income"), ("employment", "Employment"),
    ("education", "Education, skills and training"), ("health", "Health and disability"), ("crime", "Crime"),
    ("housing", "Barriers to housing and services"), ("environment", "Living environment"),
)


def decile_label(d: int) -> str:
    """1 -> 'most deprived 10%', 3 -> '20–30% most deprived', 10 -> 'least deprived 10%'."""
    return ("most deprived 10%" if d == 1 else "least deprived 10%" if d == 10
            else f"{(d - 1) * 10}–{d * 10}% most deprived")


def percent_less_deprived(rank: int | None, total: int) -> int | None:
    """Share of England's LSOAs less deprived than rank ``rank`` (1 = most deprived), whole percent."""
    if rank is None:
        return None
    return int(round(100 * (total - rank) / total))
