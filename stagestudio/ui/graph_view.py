"""The scene graph's picture and tables; kept as the studio's import path. The code lives in
`stagestudio.ui.graph` (layout, drawing, header, tables), and every public name is here too."""

from stagestudio.ui.graph import *
from stagestudio.ui.graph import __all__  # noqa: F401
