"""The checker behind each page's "no hand-drawn knob" test (tests/<concept>/test_page.py) sees what it must."""

from tests.hand_drawn import hand_drawn


def test_the_checker_finds_hand_drawn_knobs_and_passes_the_rest(tmp_path):  # a checker that cannot fail is a defect
    view = tmp_path / "v.py"
    view.write_text(
        "st.slider('k', 3, 7, step=2, key=wkey(KEY, 'ksize'))\n"
        "left.selectbox('m', MODES, key='convolution.pmode')\n"
        "st.sidebar.text_input('x', key=f'{KEY}.k')\n"
        "st.toggle('t', key='show_details')\n"  # not a declared knob
        "st.file_uploader('u', key='conv_upload')\n"  # not a value widget of a knob
        "view.controls(FILTER, only=('ksize',))\n"
    )
    assert hand_drawn(view, {"ksize", "pmode", "k"}) == [
        "line 1: slider for ksize",
        "line 2: selectbox for pmode",
        "line 3: text_input for ?",
    ]
