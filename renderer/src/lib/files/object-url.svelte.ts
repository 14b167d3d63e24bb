// An object URL that follows a reactive file: made when the file is set, revoked when it changes or the
// component that asked goes, so a page that swaps photos never holds their blobs.

/** Call during a component's setup; read `.url` in markup. */
export function objectUrl(file: () => Blob | null | undefined): { readonly url: string | null } {
  let url = $state<string | null>(null);
  $effect(() => {
    const f = file();
    const u = f ? URL.createObjectURL(f) : null;
    url = u;
    return () => {
      if (u) URL.revokeObjectURL(u);
    };
  });
  return {
    get url() {
      return url;
    },
  };
}
