from . import website_form
from . import privacy_pages
