/**
 * The IP decoration menu (MozDef's ipDecorate): copy, whois, dshield, search events, watch,
 * block. A button that opens a menu; arrow keys move, Escape closes.
 */
import { useEffect, useId, useLayoutEffect, useRef, useState, type KeyboardEvent } from "react";
import { useNavigate } from "react-router";
import { useQuery } from "@tanstack/react-query";
import { useAllowed, useApi } from "../services";
import { ipQuery, searchLink } from "../lib/links";
import { Modal } from "./Modal";
import { JsonTree } from "./JsonTree";
import { QueryState } from "./States";
import { ListEntryForm, type ListKind } from "./ListEntryForm";

type Dialog = { kind: "whois" | "dshield" } | { kind: "list"; list: ListKind } | null;

function Lookup({ route, ip }: { route: "/ipwhois" | "/ipdshieldquery"; ip: string }) {
  const api = useApi();
  const query = useQuery({ queryKey: ["lookup", route, ip], queryFn: () => api.post<unknown>(route, { ipaddress: ip }), retry: false });
  if (!query.data) return <QueryState what="the lookup" query={query} />;
  return <JsonTree value={query.data} label={`${route === "/ipwhois" ? "Whois" : "DShield"} of ${ip}`} />;
}

export function ValueMenu({ ip }: { ip: string }) {
  const [open, setOpen] = useState(false);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [copied, setCopied] = useState(false);
  const navigate = useNavigate();
  const responder = useAllowed("responder");
  const menuId = useId();
  const menu = useRef<HTMLUListElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  // The menu is fixed to the viewport beside its button, so that a scrolling table (or a
  // dialog) never clips it. Its place is set through the CSSOM, which the content security
  // policy allows (it forbids style attributes in markup).
  useLayoutEffect(() => {
    if (!open) return;
    const place = () => {
      const at = button.current?.getBoundingClientRect();
      const list = menu.current;
      if (!at || !list) return;
      const height = list.offsetHeight;
      const below = at.bottom + 2 + height <= window.innerHeight || at.top - 2 - height < 0;
      list.style.top = `${below ? at.bottom + 2 : at.top - 2 - height}px`;
      list.style.left = `${Math.max(4, Math.min(at.left, window.innerWidth - list.offsetWidth - 4))}px`;
    };
    place();
    window.addEventListener("scroll", place, true);
    window.addEventListener("resize", place);
    return () => {
      window.removeEventListener("scroll", place, true);
      window.removeEventListener("resize", place);
    };
  }, [open]);

  useEffect(() => {
    if (!open) return;
    menu.current?.querySelector<HTMLElement>("[role=menuitem]")?.focus();
    const close = (event: MouseEvent) => {
      if (!menu.current?.contains(event.target as Node) && event.target !== button.current) setOpen(false);
    };
    document.addEventListener("mousedown", close);
    return () => document.removeEventListener("mousedown", close);
  }, [open]);

  const items: { label: string; run: () => void }[] = [
    {
      label: copied ? "Copied" : "Copy",
      run: () => {
        void navigator.clipboard?.writeText(ip).then(() => setCopied(true));
      },
    },
    { label: "Whois", run: () => setDialog({ kind: "whois" }) },
    { label: "DShield", run: () => setDialog({ kind: "dshield" }) },
    { label: "Search events", run: () => void navigate(searchLink(ipQuery(ip))) },
  ];
  if (responder) {
    items.push({ label: "Watch", run: () => setDialog({ kind: "list", list: "watchlist" }) });
    items.push({ label: "Block", run: () => setDialog({ kind: "list", list: "ipblocklist" }) });
  }

  const onKeyDown = (event: KeyboardEvent) => {
    const all = Array.from(menu.current?.querySelectorAll<HTMLElement>("[role=menuitem]") ?? []);
    const at = all.indexOf(document.activeElement as HTMLElement);
    if (event.key === "Escape") {
      // Only the menu closes, not a dialog or a panel around it.
      event.preventDefault();
      event.stopPropagation();
      setOpen(false);
      button.current?.focus();
    } else if (event.key === "Tab") {
      // Tab leaves the menu: it closes, and focus moves on from its button.
      setOpen(false);
    } else if (event.key === "ArrowDown") {
      event.preventDefault();
      all[(at + 1) % all.length]?.focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      all[(at - 1 + all.length) % all.length]?.focus();
    } else if (event.key === "Home" || event.key === "End") {
      event.preventDefault();
      all[event.key === "Home" ? 0 : all.length - 1]?.focus();
    }
  };

  return (
    <span className="value-menu">
      <button
        ref={button}
        type="button"
        className="ip-button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        aria-label={`${ip}: address menu`}
        onClick={() => {
          setCopied(false);
          setOpen(!open);
        }}
      >
        {ip}
      </button>
      {open && (
        <ul ref={menu} id={menuId} role="menu" aria-label={`Actions for ${ip}`} className="menu" onKeyDown={onKeyDown}>
          {items.map((item) => (
            <li key={item.label} role="none">
              <button
                type="button"
                role="menuitem"
                tabIndex={-1}
                onClick={() => {
                  if (item.label !== "Copy") {
                    // Back to the menu's button first: a dialog returns focus there when it closes.
                    setOpen(false);
                    button.current?.focus();
                  }
                  item.run();
                }}
              >
                {item.label}
              </button>
            </li>
          ))}
        </ul>
      )}
      {dialog?.kind === "whois" && (
        <Modal title={`Whois ${ip}`} onClose={() => setDialog(null)} wide>
          <Lookup route="/ipwhois" ip={ip} />
        </Modal>
      )}
      {dialog?.kind === "dshield" && (
        <Modal title={`DShield ${ip}`} onClose={() => setDialog(null)} wide>
          <Lookup route="/ipdshieldquery" ip={ip} />
        </Modal>
      )}
      {dialog?.kind === "list" && (
        <Modal title={dialog.list === "watchlist" ? `Watch ${ip}` : `Block ${ip}`} onClose={() => setDialog(null)}>
          <ListEntryForm kind={dialog.list} initial={ip} onDone={() => setDialog(null)} />
        </Modal>
      )}
    </span>
  );
}
