/**
 * The IP decoration menu (MozDef's ipDecorate): copy, whois, dshield, search events, watch,
 * block. A button that opens a menu; arrow keys move, Escape closes.
 */
import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
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
      setOpen(false);
      button.current?.focus();
    } else if (event.key === "ArrowDown") {
      event.preventDefault();
      all[(at + 1) % all.length]?.focus();
    } else if (event.key === "ArrowUp") {
      event.preventDefault();
      all[(at - 1 + all.length) % all.length]?.focus();
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
                onClick={() => {
                  item.run();
                  if (item.label !== "Copy") setOpen(false);
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
