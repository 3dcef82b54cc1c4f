// "Copy link": copies the page's address (which carries every setting: ui/links.py) to the clipboard.
// Mounted in the page itself (st.components.v2, no frame), so window.location is the app's own.
export default function (component) {
  const { data, parentElement } = component;
  let b = parentElement.querySelector("button.archatlas-copy-link");
  if (!b) {
    b = document.createElement("button");
    b.className = "archatlas-copy-link";
    b.type = "button";
    b.title = data.help;
    b.style.cssText =
      "width:100%;padding:0.35rem 0.75rem;border-radius:0.5rem;border:1px solid rgba(49,51,63,0.2);" +
      "background:white;color:inherit;font:inherit;cursor:pointer;";
    b.textContent = data.label;
    b.addEventListener("click", async () => {
      const url = window.location.href;
      let ok = false;
      try {
        await navigator.clipboard.writeText(url);
        ok = true;
      } catch (e) {
        // no clipboard API (plain http on another host): select the address in a prompt instead
        window.prompt("Copy this link:", url);
      }
      b.dataset.copied = url;
      b.textContent = ok ? data.done : data.label;
      setTimeout(() => { b.textContent = data.label; }, 2000);
    });
    parentElement.appendChild(b);
  }
}
