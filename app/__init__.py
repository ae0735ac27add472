"""luanma: repair garbled Chinese text from web scrapes.

>>> from app import repair
>>> repair("鏁版嵁").text
'数据'
"""

from . import webcodecs  # noqa: F401  (registers web-gbk)
from .engine import apply_plan, repair, repair_bytes, repair_text
from .errors import RepairError
from .types import RepairResult, Span, Step

__all__ = ["RepairError", "RepairResult", "Span", "Step", "apply_plan", "repair",
           "repair_bytes", "repair_text"]
__version__ = "0.1.0"
