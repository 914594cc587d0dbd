"""Printing a ticket slip on a network ESC/POS thermal printer (port 9100), for a kiosk set to print directly.

The slip says what the browser slip says (templates/antrian/print.html): the unit, the number in large
type, the service, the time, the people ahead, a QR of the ticket's phone page with its address in text,
and a cut. The QR is drawn by the printer itself (GS ( k), so no image is sent. A printer that does not
answer raises PrinterError: the kiosk then shows the ticket on screen, the ticket is never lost.
"""

from __future__ import annotations

import ipaddress
import re
import socket
from dataclasses import dataclass

from escpos.exceptions import Error as EscposError
from escpos.printer import Network

from antrian.issuing import PRIORITY_REASONS
from antrian.models import Ticket
from antrian.reading import position
from webapp.core.formatting import public_url, waktu

# Seconds to wait for the printer: a visitor is standing at the kiosk.
PRINTER_TIMEOUT = 4.0
DEFAULT_PORT = 9100
# Characters per line of the Font A at 58 and 80 mm paper.
LINE_WIDTH = {"58": 32, "80": 48}
# host:port, where the host is a name or an IPv4 address (letters, digits, dots and hyphens).
PRINTER_ADDRESS = re.compile(r"(?P<host>[A-Za-z0-9](?:[A-Za-z0-9.-]{0,251}[A-Za-z0-9])?)(?::(?P<port>\d{1,5}))?")


# The ports network receipt printers listen on (raw printing, "JetDirect"): an address is never
# another service's port, so a kiosk setting cannot turn the server into a client of Redis or the
# database, nor carry the slip's text to them as commands.
PRINTER_PORTS = range(9100, 9110)


class PrinterError(Exception):
    """The printer could not be reached, or stopped answering while printing."""


class PrinterAddressError(PrinterError, ValueError):
    """The printer address is refused (port, or where it points); the message is for the administrator."""


def refused_ip(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """Whether a printer may not be at ``ip``: this server itself, link-local (cloud metadata), unspecified or
    multicast. Printers sit on the office network (private addresses), so those stay allowed."""
    return ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_multicast


def printer_target(address: tuple[str, int]) -> tuple[str, int]:
    """The (IP, port) to connect to for ``address`` (from parse_printer_address), checked.

    The host is resolved once and every address it gives is checked, and the caller connects to the
    checked IP, so a name cannot point elsewhere between the check and the connection. Raises
    PrinterAddressError, worded for the kiosk's settings form.
    """
    host, port = address
    if port not in PRINTER_PORTS:
        raise PrinterAddressError(
            f"Port printer harus antara {PRINTER_PORTS.start} dan {PRINTER_PORTS.stop - 1} (port printer termal)."
        )
    try:
        found = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError) as exc:
        raise PrinterAddressError(f"Printer {host} tidak ditemukan di jaringan; periksa namanya.") from exc
    ips = [ipaddress.ip_address(str(info[4][0]).split("%")[0]) for info in found]
    if not ips or any(refused_ip(ip) for ip in ips):
        raise PrinterAddressError("Alamat printer tidak diizinkan: gunakan alamat printer di jaringan kantor, "
                                  "bukan alamat server ini (127.x), link-local (169.254.x) atau multicast.")
    return str(ips[0]), port


@dataclass(frozen=True)
class Slip:
    """What a ticket slip shows, already worded (the caller formats the time in the unit's zone)."""

    unit: str
    number: str
    service: str
    time: str
    ahead: int
    url: str
    priority: str | None = None


def slip_of(ticket: Ticket) -> Slip:
    """The slip of ``ticket``, worded as the browser slip (the time on the unit's clock); inside a request, or
    with PUBLIC_BASE_URL set (the QR's address)."""
    unit = ticket.queue_service.unit
    reason = PRIORITY_REASONS.get(ticket.priority_reason or "") if ticket.priority else None
    return Slip(unit=unit.short_name, number=ticket.number, service=ticket.queue_service.name,
                time=waktu(ticket.issued_at, unit), ahead=position(ticket) or 0,
                url=public_url("antrian.ticket", token=ticket.token), priority=reason)


def parse_printer_address(text: str) -> tuple[str, int] | None:
    """``host`` or ``host:port`` as (host, port), port 9100 by default; None when it is not one."""
    match = PRINTER_ADDRESS.fullmatch(text.strip())
    if match is None:
        return None
    port = int(match["port"] or DEFAULT_PORT)
    return (match["host"], port) if 1 <= port <= 65535 else None


def _wrapped(text: str, width: int) -> list[str]:
    """``text`` in lines of at most ``width`` characters, broken at spaces (a long word is cut)."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        while len(word) > width:
            if line:
                lines.append(line)
                line = ""
            lines.append(word[:width])
            word = word[width:]
        if not line:
            line = word
        elif len(line) + 1 + len(word) <= width:
            line = f"{line} {word}"
        else:
            lines.append(line)
            line = word
    if line:
        lines.append(line)
    return lines


def write_slip(printer: Network, slip: Slip, width: str = "80") -> None:
    """Send the slip's commands to an open printer (any python-escpos printer; tests use a dummy)."""
    columns = LINE_WIDTH.get(width, LINE_WIDTH["80"])
    printer.set(align="center", bold=True)
    for line in _wrapped(slip.unit, columns):
        printer.textln(line)
    printer.set(align="center", normal_textsize=True)
    printer.textln("NOMOR ANTRIAN")
    # 58 mm paper holds 8 characters at triple width (A-001 is 5), 80 mm at quadruple.
    size = 3 if width == "58" else 4
    printer.set(align="center", bold=True, custom_size=True, width=size, height=size)
    printer.textln(slip.number)
    printer.set(align="center", bold=True, normal_textsize=True)
    for line in _wrapped(slip.service, columns):
        printer.textln(line)
    printer.set(align="center", normal_textsize=True)
    if slip.priority:
        printer.textln(f"Prioritas: {slip.priority}")
    printer.textln(slip.time)
    printer.textln(f"{slip.ahead} orang di depan Anda")
    printer.ln()
    printer.qr(slip.url, size=5 if width == "80" else 4, native=True, center=False)
    printer.set(align="center", normal_textsize=True)
    for line in _wrapped("Pindai untuk memantau antrian di ponsel", columns):
        printer.textln(line)
    for line in _wrapped(slip.url, columns):  # for a phone that cannot scan
        printer.textln(line)
    printer.cut()


def print_slip(address: tuple[str, int], slip: Slip, width: str = "80", *, timeout: float = PRINTER_TIMEOUT) -> None:
    """Print the slip on the network printer at ``address``; raises PrinterError when it does not answer."""
    host, port = address
    printer = Network(host, port=port, timeout=timeout)
    try:
        printer.open()
        write_slip(printer, slip, width)
    except (OSError, EscposError) as exc:
        raise PrinterError(f"Printer {host}:{port} tidak menjawab") from exc
    finally:
        printer.close()
