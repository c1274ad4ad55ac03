"""Pure rules of the programme's structure."""

import re

_CBS_BUURT_CODE = re.compile(r"^BU\d{8}$")


def is_valid_cbs_code(code: str) -> bool:
    """A CBS buurtcode: ``BU``, the 4-digit gemeentecode, 2-digit wijk and 2-digit buurt."""
    return bool(_CBS_BUURT_CODE.match(code))
