"""Home: what the playground is, one card per registered page, and the compute device."""

import streamlit as st

from core import device, registry
from core.text import Text
from core.ui import chrome, state

t = Text("home", state.lang())
chrome.notices(Text(None, state.lang()), state.GLOBALS, {"lang": state.lang()}, state.shell_notices())
state.write_url({})

st.title(t("title"))
st.markdown(f"### {t('tagline')}")
st.markdown(t("intro"))

info = device.describe()
where = t("device_gpu", **info) if "gpu" in info else t("device_cpu", **info)
st.caption(f"**{t('device')}:** {where} · PyTorch {info['torch']}")

st.subheader(t("pages"))
cols = st.columns(3)
for i, concept in enumerate(registry.CONCEPTS):
    page_text = Text(concept.key, state.lang())
    with cols[i % 3].container(border=True):
        st.markdown(f"#### {concept.icon} {page_text('title')}")
        st.markdown(page_text("question"))
        st.page_link(concept.page, label=t("open"), icon="➡️", query_params=state.query_for({}))

st.subheader(t("how_title"))
st.markdown(t("how"))
