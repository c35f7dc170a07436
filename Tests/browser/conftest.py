"""Browser and CLI tests run the real binary through the shared launcher in Tests/support."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "support"))
