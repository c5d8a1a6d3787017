/* Revue — « Signaler cette image » without leaving the page.
 *
 * Every report button is a submit button of the page's one report form
 * (form="signalement-image" formaction="/signaler/image/<id>/" name="jeton" value="<the image's
 * report token>"). The page is the same for every reader (it can be cached), so it carries no
 * CSRF token: without JavaScript the plain form leads to a small confirmation page that has its
 * own. With JavaScript, the script asks the form's data-csrf-url (/signaler/csrf/, private) for
 * the reader's CSRF token once, posts the report through fetch() (CSRF token, next, and the
 * button's own name and value — the image's report token) and the answer replaces the button.
 */
(function () {
  "use strict";

  var form = document.getElementById("signalement-image");
  if (!form || !window.fetch || !window.FormData) {
    return;
  }
  // in the page's language: the form carries the words (data-failed), the server's answers come in it too
  var FAILED = form.getAttribute("data-failed") || "Le signalement n'a pas pu être envoyé. Vérifiez votre connexion et réessayez.";
  var LANGUAGE = document.documentElement.getAttribute("lang") || "fr";

  function note(text, isError) {
    var element = document.createElement("span");
    element.className = "report-image__note" + (isError ? " report-image__note--error" : "");
    element.setAttribute("role", isError ? "alert" : "status");
    element.setAttribute("lang", LANGUAGE);
    element.textContent = text;
    return element;
  }

  function answered(button, message, ok) {
    button.replaceWith(note(message, !ok));
  }

  function failed(button) {
    button.disabled = false;
    var previous = button.nextElementSibling;
    if (previous && previous.classList.contains("report-image__note--error")) {
      previous.remove();
    }
    button.after(note(FAILED, true));
  }

  var csrfToken = null; // the reader's own, asked for once per page

  function csrf() {
    if (csrfToken) {
      return Promise.resolve(csrfToken);
    }
    return fetch(form.dataset.csrfUrl, {
      headers: { "Accept": "application/json" },
      credentials: "same-origin",
      cache: "no-store"
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("no CSRF token");
        }
        return response.json();
      })
      .then(function (data) {
        csrfToken = data.csrf;
        return csrfToken;
      });
  }

  function send(button) {
    var data = new FormData(form);
    if (button.name) {
      data.append(button.name, button.value); // the image's report token, as the plain form sends it
    }
    button.disabled = true;
    csrf()
      .then(function (token) {
        data.append("csrfmiddlewaretoken", token);
        return fetch(button.formAction, {
          method: "POST",
          body: data,
          headers: { "Accept": "application/json" },
          credentials: "same-origin"
        });
      })
      .then(function (response) {
        return response.json().then(function (data) {
          answered(button, data.message || FAILED, response.ok);
        });
      })
      .catch(function () {
        failed(button);
      });
  }

  form.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (!button || !button.classList.contains("report-image")) {
      return; // an unknown submitter: let the browser send the plain form
    }
    event.preventDefault();
    if (!button.disabled) {
      send(button);
    }
  });
})();
