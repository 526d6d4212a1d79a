import { useEffect, useState } from "react";

/**
 * A time in the merchant's own time zone. The server does not know it, so the
 * first render (server and hydration) says the time in UTC and the browser
 * then rewrites it locally: no hydration mismatch, no wrong hour.
 */
export function LocalTime({ iso }: { iso: string }) {
  const utc = `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
  const [text, setText] = useState(utc);
  useEffect(() => {
    setText(new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" }));
  }, [iso]);
  return <time dateTime={iso}>{text}</time>;
}
