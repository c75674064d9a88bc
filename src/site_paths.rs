//! Where things go in the built site. The render stage links to these paths, the manifest
//! records them and the site is assembled from them, so they are named in one place.

/// Where a figure's SVG file goes in the site.
pub fn figure_path(id: &str) -> String {
    format!("figures/{id}.svg")
}

/// Where the frame `frame` (its name, `tanh-s0_1`) of the sweep `id` goes:
/// `figures/explore/tanh-s0_1.svg`.
pub fn frame_path(id: &str, frame: &str) -> String {
    format!("figures/{id}/{frame}.svg")
}

/// The page a lesson becomes: `02-zero.md` (slug `02-zero`) → `02-zero.html`.
pub fn page_name(slug: &str) -> String {
    format!("{slug}.html")
}

/// The folder of the lessons' Jupyter notebooks (and, beside them, the data sets they load).
pub const NOTEBOOK_DIR: &str = "notebooks";

/// Where a lesson's Jupyter notebook goes in the site: `notebooks/02-zero.ipynb`.
pub fn notebook_path(slug: &str) -> String {
    format!("{NOTEBOOK_DIR}/{slug}.ipynb")
}
