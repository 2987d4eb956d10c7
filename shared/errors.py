"""The one small exception tree of Telketen.

Exceptions mean "cannot proceed". Everything a person can get wrong (a file, a number, a scan, a key, an
argument) raises a subclass of `TelketenError` with a message that says where and which rule; the command line
turns it into one line on stderr and the exit code of its class. Validation findings about a station report
are *data* (`shared.domain.validation`), never exceptions.

The message is English (the command line and the logs); a refusal that can reach a person in the browser also
carries a `code` and its `params`, which `shared.i18n.catalogue` turns into the Dutch sentence the page shows.

    TelketenError              exit 2  any refusal with a clear message
    ├── InputError             exit 2  malformed input: file, argument, JSON, typed value
    │   ├── EmlError           exit 2  an EML_NL file that cannot be read or violates the standard
    │   └── TypstCompileError  exit 2  a report template that does not compile (shared.adapters.pdf)
    ├── IntegrityError         exit 3  a hash, signature, digest or sum that does not hold
    │   └── UnknownKey         exit 3  a key that is not in the register (shared.formats.signing)
    ├── StateError             exit 4  an action not allowed in the current state (same typist twice, …)
    └── EnvironmentProblem     exit 5  the machine lacks something (zbar library, network air gap, webcam)
"""

from __future__ import annotations

from collections.abc import Mapping


class TelketenError(Exception):
    """Base of every error a user can cause; carries a one-line message and an exit code, and for the browser
    a catalogue code with the values its Dutch text names."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        where: str | None = None,
        code: str | None = None,
        params: Mapping[str, object] | None = None,
    ) -> None:
        self.message = message
        self.where = where
        self.code = code
        self.params: dict[str, object] = dict(params or {})
        super().__init__(f"{where}: {message}" if where else message)


class InputError(TelketenError):
    """Input that does not have the expected form: say which file/field and what was expected."""


class EmlError(InputError):
    """An EML_NL file that cannot be read, or that breaks the standard."""


class IntegrityError(TelketenError):
    """A hash, signature, digest or sum that does not hold: the data cannot be trusted."""

    exit_code = 3


class StateError(TelketenError):
    """An action that the current state does not allow (e.g. a second entry by the first typist)."""

    exit_code = 4


class EnvironmentProblem(TelketenError):
    """Something missing on the machine (a system library, a webcam) or a network that must not be there."""

    exit_code = 5
