"""The admin's part of the content library: add, replace or remove the organisation's own content files."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from maturity.config import Settings
from maturity.services import content_files
from maturity.ui.components import notice_ui
from maturity.ui.failures import attempt
from maturity.ui.text import md, typed_lines

MESSAGE = "content_files_message"


def content_files_ui(url: str, settings: Settings) -> None:
    if not settings.content_dirs:
        st.info(
            "To add your organisation's own models, surveys and playbooks here, set MATURITY_CONTENT_DIR to a folder "
            "the app can write (for example `data/content`) and restart. The formats are in docs/content.md.",
            icon=":material/folder_open:",
        )
        return
    folder = settings.content_dirs[0]
    st.caption(
        md(
            "Files in {folder}. A file is checked as the app checks it on load, against everything else, before it is "
            "saved: a broken one is refused with its problems and the file already there keeps working. An item with the "
            "id of a built-in replaces it. Every change goes in the audit log.",
            folder=str(folder),
        )
    )
    notice_ui(MESSAGE)
    with attempt("listing the content folder", failed="The content folder cannot be read") as listing:
        files = content_files.list_files(folder)
    if not listing.ok:
        return
    if files:
        st.dataframe(
            pd.DataFrame(
                [{"File": f.name, "Defines": f.defines, "Size": f"{f.size:,} bytes", "Changed (UTC)": f.modified.replace(tzinfo=None)} for f in files]
            ),
            hide_index=True,
            width="stretch",
        )
    upload = st.file_uploader("Add or replace a file (YAML)", type=["yaml", "yml"], key="content_upload")
    if upload is not None and st.button(md("Check and save {name}", name=upload.name), key="content_save", type="primary", icon=":material/upload:"):
        rejected = None
        with attempt("saving a content file", failed="Not saved", keep="The file that was there is unchanged.") as save:
            try:
                saved = content_files.save_file(url, folder, settings.content_sources, upload.name, upload.getvalue())
            except content_files.ContentRejected as exc:  # its problems get a table, not a sentence
                rejected = exc
        if rejected is not None:
            st.error(typed_lines(str(rejected)), icon=":material/block:")
            problems_table_ui(rejected.problems)
        elif save.ok:
            st.session_state[MESSAGE] = f"Saved {saved.name}: {saved.defines}. The library shows it within a few seconds."
            st.rerun()
    if files:
        with st.form("remove_content", border=False):
            left, right = st.columns([3, 1])
            name = left.selectbox("Remove a file", [f.name for f in files], key="content_remove_pick")
            sure = left.checkbox("Yes, remove it (a built-in with the same id comes back)", key="content_remove_sure")
            removed = right.form_submit_button("Remove", icon=":material/delete:")
        if removed:
            if not sure:
                st.warning("Tick the box to confirm.")
            else:
                rejected = None
                with attempt("removing a content file", failed="Not removed") as remove:
                    try:
                        content_files.remove_file(url, folder, settings.content_sources, name)
                    except content_files.ContentRejected as exc:  # its problems get a table, not a sentence
                        rejected = exc
                if rejected is not None:
                    st.error(md("{name} was not removed: other files need it.", name=name), icon=":material/block:")
                    problems_table_ui(rejected.problems)
                elif remove.ok:
                    st.session_state[MESSAGE] = f"Removed {name}."
                    st.rerun()


def problems_table_ui(problems) -> None:
    st.dataframe(
        pd.DataFrame([{"File": p.path, "Line": p.line, "Field": p.field, "Problem": p.message} for p in problems]),
        hide_index=True,
        width="stretch",
    )
