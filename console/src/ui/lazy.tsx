/**
 * A screen whose code is a chunk of its own, fetched the first time it shows (the console's
 * initial JavaScript stays small: tests/browser/bundle.test.ts). While it loads, a status line
 * says so; a chunk that fails to load says that, and the next visit tries again.
 */
import type { FunctionComponent } from "preact";
import { useEffect, useState } from "preact/hooks";
import { t } from "../i18n/index.js";

export function lazyScreen<P extends object>(load: () => Promise<FunctionComponent<P>>): FunctionComponent<P> {
  let loaded: FunctionComponent<P> | undefined;
  let pending: Promise<FunctionComponent<P>> | undefined;
  return function LazyScreen(props: P) {
    const [component, setComponent] = useState<FunctionComponent<P> | undefined>(() => loaded);
    const [failed, setFailed] = useState(false);
    useEffect(() => {
      if (component) return;
      let live = true;
      (pending ??= load()).then(
        (c) => {
          loaded = c;
          if (live) setComponent(() => c);
        },
        () => {
          pending = undefined;
          if (live) setFailed(true);
        },
      );
      return () => {
        live = false;
      };
    }, []);
    const Component = component;
    if (Component) return <Component {...props} />;
    return (
      <p class={failed ? "error" : "empty"} role={failed ? "alert" : "status"}>
        {failed ? t("screen.loadFailed") : t("screen.loading")}
      </p>
    );
  };
}
