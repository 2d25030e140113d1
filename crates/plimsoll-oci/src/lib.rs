//! Finding and reading container images: references, OCI layouts, docker
//! archives and OCI registries. Every blob is verified against its digest
//! while it streams; nothing is extracted to disk.

mod archive;
mod digest;
mod dir;
mod error;
mod image;
mod layout;
mod reference;
#[cfg(feature = "registry")]
mod registry;
pub mod verify;

pub use archive::resolve_archive;
pub use digest::Digest;
pub use dir::{
    DIR_MEDIA_TYPE, DirEntry, DirKind, DirListing, DirOptions, MAX_DIR_ENTRIES, PSEUDO_FILESYSTEMS,
    Skipped, resolve_dir,
};
pub use error::OciError;
pub use image::{
    BlobSource, Compression, Healthcheck, History, Image, ImageConfig, LayerRef, Platform,
    RegistryCredential, ResolveOptions, RootFs, RunConfig,
};
pub use layout::{layout_tags, resolve_layout};
pub use reference::{
    ImageRef, NameRef, registry_digest, registry_is_trusted, registry_of, registry_tag,
};
#[cfg(feature = "registry")]
pub use registry::{CredentialError, docker_credentials, list_tags, resolve_registry};

/// Resolves any reference to an image whose manifest and config are read
/// and verified. Tags are resolved once; the result works by digest.
pub fn resolve(reference: &ImageRef, opts: &ResolveOptions) -> Result<Image, OciError> {
    match reference {
        ImageRef::OciLayout { dir, tag } => resolve_layout(dir, tag.as_deref(), opts),
        ImageRef::DockerArchive { file } => resolve_archive(file, opts),
        ImageRef::Dir { dir } => resolve_dir(dir, &opts.dir),
        #[cfg(feature = "registry")]
        ImageRef::Registry { reference } => resolve_registry(reference, opts),
        #[cfg(not(feature = "registry"))]
        ImageRef::Registry { reference } => Err(OciError::BadReference {
            reference: reference.clone(),
            why: "this build reads no registries (plimsoll-oci's `registry` feature is off)".into(),
        }),
    }
}
