# English interface, Vietnamese data conventions: dates stay dd/mm/yyyy and numbers 1.234.567 so
# officers never misread them when they switch language.
from ocop.formats.vi.formats import *  # noqa: F403
