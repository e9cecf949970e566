"""Entry point: `streamlit run app/main.py [-- --workspace DIR] [--share]`.

First the access gate (app/access.py): served to others, a session signs in before any page
exists. Then the navigation over the files in pages/. Heavy libraries (torch, UMAP, FAISS)
are imported only by the pages that need them, so the first paint does not wait.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import app.blas_threads  # noqa: E402,F401  (first: before anything loads numpy)
import streamlit as st  # noqa: E402

from app import current  # noqa: E402
from app import access  # noqa: E402
from app.state import ASSETS, seed_demo_data, warm_up_umap, workspace  # noqa: E402
from app.vanished import rerun_if_deleted  # noqa: E402

st.set_page_config(page_title="SSL Lens", page_icon=str(ASSETS / "favicon.png"), layout="wide")
st.logo(str(ASSETS / "logo.svg"), icon_image=str(ASSETS / "icon.svg"), size="large")
access.require()  # stops here until a visitor of a shared app has signed in
workspace()  # one that cannot be opened stops here, saying why

pages = [
    st.Page("../pages/data.py", title="Data", icon=":material/photo_library:", default=True),
    st.Page("../pages/augment_lab.py", title="Augmentation Lab", icon=":material/auto_awesome:"),
    st.Page("../pages/train.py", title="Train", icon=":material/model_training:"),
    st.Page("../pages/explorer.py", title="Embedding Explorer", icon=":material/scatter_plot:"),
    st.Page("../pages/retrieval.py", title="Retrieval", icon=":material/image_search:"),
    st.Page("../pages/evaluate.py", title="Evaluate", icon=":material/analytics:"),
    st.Page("../pages/concepts.py", title="Concepts", icon=":material/school:"),
]
navigation = st.navigation(pages)
access.open_wanted_page(pages, navigation)  # a link to one page, opened before signing in, opens it now
with st.sidebar:
    st.caption(f"Workspace: `{workspace().root}`")
    access.sign_out_button()
with workspace().shared_reads():  # the rerun's tens of SQLite reads share one connection
    seed_demo_data(workspace())
    warm_up_umap()
    current.restore(workspace())
    current.sidebar(workspace())
    with rerun_if_deleted(workspace()):  # a run or dataset deleted mid-rerun by another tab: no error box
        navigation.run()
