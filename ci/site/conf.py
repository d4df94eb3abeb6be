"""Sphinx configuration of the course website, copied next to the sources ci/build_site.py
prepares (artifacts/site/src). Everything it loads is served by the site itself: no request
leaves it, at build time or in the browser."""
import json
from pathlib import Path

import sphinx.search.zh

HERE = Path(__file__).parent
SITE = json.loads((HERE / "site.json").read_text())

project = "dlcourse · deep learning, level by level"
html_title = "dlcourse · 深度学习"
author = "dlcourse"
copyright = "dlcourse, MIT licence"

extensions = ["myst_nb", "sphinx.ext.mathjax"]
exclude_patterns = ["_static", "site.json", "**.ipynb_checkpoints"]
source_suffix = {".md": "myst-nb", ".ipynb": "myst-nb"}

# The notebooks ran already (quick mode in CI, full mode for a release): show them as they ran.
nb_execution_mode = "off"
nb_render_markdown_format = "myst"      # text/markdown outputs: tables, maths
nb_merge_streams = True
myst_enable_extensions = ["dollarmath", "amsmath", "colon_fence"]
myst_dmath_double_inline = True
myst_heading_anchors = 3

# MathJax 3 from the django-static-mathjax package (no Django needed), copied into _static by
# the build; MyST-NB configures it for the notebooks' $…$ maths.
mathjax_path = "mathjax/tex-chtml.js"

html_theme = "sphinx_book_theme"
html_static_path = ["_static"]
html_favicon = "_static/favicon.svg"
html_css_files = ["dlcourse.css"]
# plotly.js once per page, before the figures' scripts run; dlcourse.js draws each figure.
html_js_files = [("plotly.min.js", {"priority": 200}), ("dlcourse.js", {"priority": 201})]
html_last_updated_fmt = None
html_copy_source = False
html_show_sourcelink = False
html_theme_options = {
    "repository_url": "https://github.com/dlcourse/dlcourse",
    "repository_branch": "main",
    "path_to_docs": "course",
    "use_repository_button": True,
    "launch_buttons": {"colab_url": "https://colab.research.google.com"},
    "show_toc_level": 2,
    "show_navbar_depth": 2,     # each level's lessons listed under it in the sidebar
    "home_page_in_toc": True,
}
html_context = {"default_mode": "light"}
# "zh": jieba cuts the Chinese into words for the index (术语 inside longer phrases are found);
# Latin words still go through the English stemmer.
html_search_language = "zh"
suppress_warnings = ["mystnb.unknown_mime_type"]


class SearchChinese(sphinx.search.zh.SearchChinese):
    # Sphinx 9.0 names the page's JS stemmer after language_name, and "ChineseStemmer" does not
    # exist: Chinese search stems its Latin words with the English one (sphinx-doc/sphinx#14229).
    language_name = "English"


def setup(app):
    app.add_search_language(SearchChinese)
