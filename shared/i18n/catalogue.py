"""The one Dutch message catalogue: every sentence the browser shows for a refusal, an outcome or a notice.

Why a catalogue: the service layer, the domain and the desk speak English to the command line and the logs,
while every page is Dutch. A refusal that can reach a page carries a `code` and its `params`
(`shared.errors.TelketenError`); the page shows `MESSAGES[code]` filled with those params. Codes are dotted
(`entry.same_typist`, `desk.accept`), one prefix per part; a parameter named in `TERMS` (a state, a role, an
action) is shown in its Dutch word. A code without an entry is a bug: `text` raises `MissingMessage`, the
tests check every code in the source against this table, and the edges (`explain`) fall back to the code
with a neutral Dutch sentence and say so, so production never shows English.

The validation rules' short titles (F.201, W.203 …) are `RULES`; the states of a double entry are
`shared.domain.double_entry.STATE_LABELS_NL`. Adding a page means adding its codes here (docs/web.md).
Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping

from shared.domain.double_entry import STATE_LABELS_NL
from shared.errors import EnvironmentProblem, IntegrityError, StateError, TelketenError

#: code → Dutch sentence with {named} parameters.
MESSAGES: dict[str, str] = {
    # ---------------------------------------------------------------- the double entry (shared.domain)
    "entry.typist_only": "{name} is geen invoerder: alleen invoerders typen getallen over (de coördinator "
    "typt nooit).",
    "entry.coordinator_only": "{name} is geen coördinator: alleen de coördinator kan dit doen.",
    "entry.not_typing": "U kunt nu niet {action}: niemand typt deze invoer (status: {state}).",
    "entry.not_yours": "U kunt nu niet {action}: invoer {number} is van {typist}, niet van {name}.",
    "entry.taken": "Invoer {number} wordt al getypt door {typist}; {name} kan die niet overnemen.",
    "entry.same_typist": "{name} heeft de eerste invoer getypt: de tweede invoer moet door iemand anders "
    "worden gedaan.",
    "entry.cannot_claim": "Dit stembureau kan nu niet worden ingevoerd ({state}): het wacht op de "
    "coördinator of is definitief.",
    "entry.accept_errors": "Controleer de fouten {codes} met het papier en vink aan dat het papier deze "
    "fouten bevat voordat u afrondt.",
    "entry.accept_warnings": "Controleer de waarschuwingen {codes} met het papier en vink aan dat u ze hebt "
    "gecontroleerd voordat u afrondt.",
    "entry.equal_with_errors": "Beide invoeren zijn gelijk maar bevatten fouten: het proces-verbaal moet "
    "eerst worden gecorrigeerd.",
    "resolve.not_errors": "Hier is geen fout op te lossen ({state}): dat kan alleen bij een eerste invoer "
    "met fouten.",
    "resolve.not_different": "Hier zijn geen verschillen op te lossen ({state}): de invoeren verschillen "
    "niet.",
    "resolve.unknown": "Onbekend besluit '{action}'.",
    "resolve.kept_has_errors": "De bewaarde invoer bevat fouten: die kan geen maatstaf voor een correctie "
    "zijn.",
    # ---------------------------------------------------------------- the municipality's service and pages
    "station.unknown": "Geen stembureau '{ref}' in {municipality}.",
    "user.wrong_role": "Dit is voor een {role}; {name} is {user_role}.",
    "session.finalised": "Zitting {session} is vastgesteld: getallen kunnen alleen nog veranderen in een "
    "volgende zitting, na een onderzoek.",
    "finalise.not_definitive": "Nog niet elk stembureau is definitief in zitting {session}: {names}.",
    "finalise.edited": "Een definitief proces-verbaal is niet meer zoals de invoerder het opsloeg: het "
    "statusbestand is buiten het programma gewijzigd. Vaststellen kan niet.",
    "finalise.enrolment_missing": "Het registratiebestand van de sleutel ontbreekt: {path}.",
    "finalise.wrong_key": "Deze sleutel is niet de geregistreerde sleutel van de gemeente.",
    "finalise.no_investigation": "In zitting {session} is geen stembureau onderzocht: er is niets te "
    "corrigeren.",
    "finalise.output_exists": "De uitvoermap {folder} bevat al {files}; kies een lege map.",
    "finalise.eml_mismatch": "De 510b telt niet op tot de ingevoerde processen-verbaal: vaststellen kan "
    "niet (de verschillen noemt `telketen municipality finalise` op de opdrachtregel).",
    "key.readable": "Het sleutelbestand {path} is door anderen leesbaar (modus {mode}); maak het alleen "
    "voor de eigenaar leesbaar (chmod 600).",
    "finalise.passphrase_missing": "Vul de wachtzin van de sleutel in.",
    "key.wrong_passphrase": "Verkeerde wachtzin (of een beschadigd sleutelbestand).",
    "file.missing": "Bestand niet gevonden: {path}.",
    "file.folder": "{path} is een map, geen bestand.",
    "file.unreadable": "{path} kan niet worden gelezen.",
    "forms.na14_1_decentral": "Het blanco model Na 14-1 is er alleen bij decentraal tellen.",
    "inquiry.station_missing": "Kies het stembureau.",
    "inquiry.not_investigated": "Stembureau {number} wordt in deze zitting niet onderzocht.",
    "inquiry.first_session": "Een onderzoek hoort bij een volgende zitting: open eerst een nieuwe zitting.",
    "inquiry.already": "Stembureau {number} wordt in zitting {session} al onderzocht.",
    "web.not_typing": "{name} typt dit proces-verbaal niet: kies het eerst in de lijst.",
    "web.station_number": "Typ het nummer van het stembureau.",
    "web.unknown_action": "Onbekende handeling '{action}'.",
    "web.confirm_reset": "Vink aan dat beide invoeren verloren gaan.",
    "web.no_download": "Geen bestand '{name}' in zitting {session}.",
    "web.text_expected": "Hier hoort tekst, geen bestand ({field}).",
    "web.typed_errors": "{count} vak(ken) niet goed ingevuld: er is niets opgeslagen.",
    "web.saved_not_finalised": "Opgeslagen, maar nog niet afgerond: {reason}",
    "web.station_state": "Stembureau {number}: {label}.",
    "typed.not_a_number": "'{text}' is geen geheel getal.",
    "typed.too_large": "{value} is groter dan 999.999.999.",
    "typed.tick": "'{text}' is geen antwoord: typ x om aan te vinken, n om leeg te laten.",
    # ---------------------------------------------------------------- login, roles, forms (every tier)
    "web.logged_out": "U bent niet (meer) ingelogd.",
    "web.wrong_role": "Deze pagina is niet voor uw rol ({role}).",
    "web.csrf": "Het formulier is verlopen of komt niet van deze site (CSRF). Laad de pagina opnieuw.",
    "web.login_expired": "Het formulier was verlopen. Probeer het opnieuw.",
    "web.login_failed": "Onbekende gebruiker of verkeerd wachtwoord.",
    "web.logout_failed": "Uitloggen mislukt (CSRF).",
    "web.not_found": "Deze pagina bestaat niet.",
    "web.form_unreadable": "Het formulier kan niet worden gelezen.",
    # ---------------------------------------------------------------- the scanning desk (upper tiers)
    "scan.empty": "het bestand is leeg.",
    "scan.pdf_unreadable": "de PDF kan niet worden geopend.",
    "scan.no_pages": "het bestand heeft geen pagina's.",
    "scan.too_many_pages": "het bestand heeft {pages} pagina's; er worden er hoogstens {most} gelezen.",
    "scan.page_unreadable": "pagina {page} kan niet worden gelezen.",
    "scan.page_too_large": "pagina {page} is te groot om als scan te lezen.",
    "scan.too_large": "de afbeelding is te groot voor een scan.",
    "scan.unreadable": "geen leesbare afbeelding of PDF.",
    "desk.no_files": "Kies één of meer scans (PNG, JPEG, TIFF, PDF) of .tks-bestanden.",
    "desk.too_large": "{file}: het bestand is groter dan 64 MB.",
    "desk.no_frame": "Er zat geen camerabeeld in het verzoek.",
    "desk.frame_not_image": "Het camerabeeld is geen afbeelding.",
    "desk.not_a_scan": "{file}: geen scan (PNG, JPEG, TIFF, PDF) en geen .tks-bestand.",
    "desk.unreadable": "{file}: {reason}",
    "desk.symbols_missing": "samenvatting {message}: QR-code(s) {missing} van {total} niet gelezen; scan die "
    "opnieuw.",
    "desk.symbols_refused": "{count} QR-code(s) geweigerd: geen deel van een Telketen-samenvatting, of "
    "beschadigd.",
    "desk.environment": "Deze computer mist iets om scans te lezen; zie het logboek van de beheerder.",
    "desk.no_codes": "{files}: geen Telketen-QR-codes gevonden.",
    "desk.nothing_complete": "Geen complete ondertekende samenvatting gevonden.",
    "desk.source_scan": "scan van {files}, samenvatting {number}",
    "desk.source_camera": "camera {number}",
    "desk.first_session": "eerste zitting",
    "desk.corrigendum": "corrigendum {phase}",
    "desk.accept": "{who} ({phase}) is opgenomen in de telling.",
    "desk.duplicate": "{who}: deze samenvatting ({phase}) was al ontvangen; er is niets veranderd.",
    "desk.replace": "{who}: {phase} is opgenomen en vervangt de eerdere samenvatting.",
    "desk.refuse": "{who} ({phase}): {reason}",
    "desk.refused": "{reason}",
    "desk.totals": "de getallen kloppen niet: {findings}",
    "desk.refused_earlier": "geweigerd; de reden staat in het auditlog.",
    "intake.unknown_authority": "de afzender is geen van de organen die dit stembureau optelt.",
    "intake.orphan_corrigendum": "een corrigendum van een orgaan waarvan het eerste proces-verbaal nog niet "
    "binnen is; scan dat eerst.",
    "intake.first_names_predecessor": "een samenvatting van de eerste zitting mag geen eerdere samenvatting "
    "vervangen.",
    "intake.chain_broken": "het corrigendum noemt niet de samenvatting die nu geldt.",
    "intake.older_phase": "ouder dan de samenvatting die al geldt (een eerder proces-verbaal, opnieuw "
    "gescand).",
    "intake.conflict": "een andere samenvatting voor dezelfde zitting dan die al geldt.",
    "summary.lists_differ": "de lijsten {found} zijn niet de lijsten van deze kieskring {expected}.",
    "summary.wrong_district": "{who} hoort bij kieskring {expected}, de samenvatting zegt {found}.",
    "summary.candidates_differ": "lijst {number} heeft {found} kandidaten, de 230b {expected}.",
    "signed.enrolment_record": "dit is een registratie van een sleutel, geen ondertekende samenvatting.",
    "signed.not_summary": "dit is geen ondertekende samenvatting van Telketen.",
    "signed.too_short": "te kort voor een ondertekende samenvatting ({size} bytes; afgebroken?).",
    "signed.version": "versie {version} van de ondertekende samenvatting; dit programma leest {supported}.",
    "signed.truncated": "afgebroken: {size} bytes, de kop kondigt er {expected} aan.",
    "signed.trailing": "{extra} bytes na het einde van de ondertekende samenvatting.",
    "signed.key_mismatch": "de aangeboden sleutel is niet de sleutel die het bericht noemt.",
    "signed.bad_signature": "de handtekening klopt niet: de samenvatting is veranderd of niet met deze "
    "sleutel ondertekend.",
    # ---------------------------------------------------------------- the coordinator's pages (users, lots)
    "admin.bad_name": "Een gebruikersnaam heeft 1 tot 64 leesbare tekens, zonder spatie aan het begin "
    "of eind.",
    "admin.bad_role": "De rol moet een van deze zijn: {roles}.",
    "admin.user_exists": "Gebruiker {name} bestaat al.",
    "admin.no_user": "Gebruiker {name} bestaat niet.",
    "admin.already_disabled": "Gebruiker {name} is al uitgeschakeld.",
    "admin.user_disabled": "Gebruiker {name} is uitgeschakeld en kan niet meer inloggen.",
    "admin.own_account": "Een coördinator kan het eigen account niet uitschakelen of een nieuw wachtwoord "
    "geven: wijzig uw eigen wachtwoord op de pagina Wachtwoord.",
    "admin.wrong_password": "Het huidige wachtwoord klopt niet.",
    "admin.not_a_line": "‘{value}’ is geen regelnummer.",
    "admin.not_a_number": "‘{value}’ is geen nummer.",
    "admin.choose_role": "Kies een rol: {roles}.",
    "admin.confirm_disable": "Vink aan dat {name} niet meer mag inloggen.",
    "admin.no_session": "Deze sessie bestaat niet (meer).",
    "admin.confirm_deceased": "Vink aan dat het overlijden is vastgesteld.",
    "admin.confirm_lot": "Vink aan dat het lot in het openbaar is getrokken.",
    "admin.confirm_session": "Vink aan dat een nieuwe zitting wordt geopend.",
    "session.still_open": "Zitting {session} is nog open: stel die eerst vast.",
    "station.not_definitive": "Stembureau {number} ({name}) heeft nog geen definitieve uitslag.",
    "lot.stale": "Het vastgelegde lot {seq} hoort niet meer bij een gelijke stand die de berekening vraagt: "
    "trek het in op de lotingspagina en leg vast wat nu gevraagd wordt.",
    "lot.not_needed": "Er is geen loting nodig: de berekening is compleet met de vastgelegde loten.",
    "lot.not_an_option": "{outcome} is geen van de mogelijkheden ({options}).",
    "lot.none_recorded": "Er is nog geen lot vastgelegd.",
    "deceased.after_finalise": "De uitslag is al vastgesteld; een overleden kandidaat moet daarvóór worden "
    "ingevoerd.",
    "deceased.unsupported": "Overleden kandidaten (art. P 19a) bij lijsten die per kieskring verschillen, "
    "worden nog niet ondersteund.",
    "deceased.no_list": "Er is geen lijst {list}.",
    "deceased.no_candidate": "Lijst {list} heeft geen kandidaat {position}.",
    "deceased.already": "Kandidaat {position} van lijst {list} is al als overleden vastgelegd.",
}

#: Short Dutch titles of the findings, as on the typist's screen (Abacus wording, shortened).
RULES: dict[str, str] = {
    "F.101": "Extra onderzoek: één vraag beantwoord en de andere niet",
    "F.102": "Extra onderzoek: meerdere antwoorden op één vraag",
    "F.111": "Verschillen met stembureau: niet alle vragen beantwoord",
    "F.112": "Verschillen met stembureau: meerdere antwoorden op één vraag",
    "F.121": "Over het proces-verbaal: niet alle vragen beantwoord",
    "F.122": "Wel een corrigendum, maar de pagina 'controles en correcties' ontbreekt",
    "F.131": "Controles en correcties: niet alle vragen beantwoord",
    "F.132": "Corrigendum aanwezig, maar 'gecorrigeerde telresultaten' = nee",
    "F.133": "Geen corrigendum, maar 'gecorrigeerde telresultaten' = ja",
    "F.134": "Meer dan één antwoord op 'zijn er gecorrigeerde telresultaten?'",
    "F.135": "'Op verzoek van het centraal stembureau' kan niet in de eerste zitting",
    "F.201": "A, B en C tellen niet op tot D",
    "F.202": "De stemmen op lijsten (E.1 t/m E.n) tellen niet op tot E",
    "F.203": "E, F en G tellen niet op tot H",
    "F.204": "Er zijn stemmen op lijsten, maar E is leeg of 0",
    "F.301": "'D en H zijn gelijk' aangevinkt, maar D en H verschillen",
    "F.302": "'H is groter dan D' aangevinkt, maar H is niet groter",
    "F.303": "'H is kleiner dan D' aangevinkt, maar H is niet kleiner",
    "F.304": "Niet precies één vakje aangevinkt bij 'Vergelijk D en H'",
    "F.305": "D en H zijn gelijk, maar I en/of J is ingevuld",
    "F.306": "I is niet gelijk aan H min D",
    "F.307": "H is groter dan D, maar J is ingevuld (I en J verwisseld?)",
    "F.308": "J is niet gelijk aan D min H",
    "F.309": "H is kleiner dan D, maar I is ingevuld (I en J verwisseld?)",
    "F.310": "Verschil tussen D en H: 'volledig verklaard?' niet of dubbel beantwoord",
    "F.311": "Onverklaard verschil, maar 'vanwege een onverklaard verschil' niet aangevinkt",
    "F.312": "D is niet gelijk aan H min I plus J",
    "F.313": "D en H zijn gelijk, maar 'volledig verklaard?' is beantwoord",
    "F.401": "Er zijn stemmen op deze lijst, maar het lijsttotaal is leeg of 0",
    "F.402": "De stemmen op de kandidaten tellen niet op tot het lijsttotaal",
    "F.403": "Het lijsttotaal is niet gelijk aan E bij deze lijst",
    "W.001": "Verschil met eerste invoer: controleer de gemarkeerde velden",
    "W.002": "De coördinator heeft deze velden leeggemaakt: neem ze opnieuw over van papier",
    "W.201": "Aantal blanco stemmen is erg hoog (3 % of meer)",
    "W.202": "Aantal ongeldige stemmen is erg hoog (3 % of meer)",
    "W.203": "Groot verschil tussen toegelaten kiezers (D) en uitgebrachte stemmen (H)",
    "W.204": "Het totaal aantal uitgebrachte stemmen (H) is nul",
    "W.205": "Het aantal kiesgerechtigden (Z) is leeg of nul",
    "W.206": "Minder kiesgerechtigden (Z) dan stempassen (A)",
}

#: The roles of the web apps' users.
ROLES: dict[str, str] = {
    "typist": "invoerder",
    "coordinator": "coördinator",
    "operator": "operator",
    "observer": "waarnemer",
}

#: Parameters shown by their Dutch word: name → (English value → Dutch).
TERMS: dict[str, Mapping[str, str]] = {
    "state": {state: label.lower() for state, label in STATE_LABELS_NL.items()},
    "role": ROLES,
    "user_role": ROLES,
    "action": {
        "save": "opslaan",
        "finalise": "afronden",
        "discard": "de invoer verwijderen",
        "claim": "beginnen",
        "see findings": "de meldingen bekijken",
    },
}

#: What a page says when a refusal has no catalogue text (the code, if any, is added): per kind of refusal.
NEUTRAL: tuple[tuple[type[TelketenError], str], ...] = (
    (StateError, "Dit kan nu niet."),
    (IntegrityError, "Een controle (hash, handtekening of som) klopt niet."),
    (EnvironmentProblem, "Op deze computer ontbreekt iets."),
    (TelketenError, "De invoer is niet goed."),
)


def term(kind: str, value: str) -> str:
    """The Dutch word for an English value of a parameter kind (`role`, `state`, `action`), or the value."""
    return TERMS[kind].get(value, value)


class MissingMessage(KeyError):
    """A code without a Dutch text: a bug that the tests must catch."""


def text(code: str, params: Mapping[str, object] | None = None) -> str:
    """The Dutch sentence of `code` with its parameters; MissingMessage when the catalogue lacks it."""
    try:
        template = MESSAGES[code]
    except KeyError:
        raise MissingMessage(code) from None
    shown = {k: term(k, str(v)) if k in TERMS else v for k, v in (params or {}).items()}
    try:
        return template.format(**shown)
    except (KeyError, IndexError) as exc:
        raise MissingMessage(f"{code}: parameter {exc} not given") from None


def explain(exc: TelketenError) -> tuple[str, bool]:
    """What a page shows for a refusal: its catalogue text, or (False, for the caller to log) a neutral Dutch
    sentence naming the code, followed by the refusal's own message so that nothing is hidden from the
    person — a gap the tests catch (`tests/test_web_catalogue.py` fails on any fallback)."""
    if exc.code is not None:
        try:
            return text(exc.code, exc.params), True
        except MissingMessage:
            pass
    neutral = next(nl for cls, nl in NEUTRAL if isinstance(exc, cls))
    suffix = f" (melding {exc.code})" if exc.code else ""
    return f"{neutral}{suffix} De technische melding staat in het logboek: {exc.message}", False
