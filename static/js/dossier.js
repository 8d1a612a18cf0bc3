// Documents: refresh a document's status while it is processed, and show upload progress.
// The pages work without this file; it only makes them smoother.
(function () {
  "use strict";

  var statut = document.getElementById("statut-document");
  if (statut && statut.dataset.statut === "en_traitement") {
    var essais = 0;
    var suivre = function () {
      essais += 1;
      fetch(statut.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (reponse) { return reponse.json(); })
        .then(function (etat) {
          if (etat.statut !== "en_traitement" || !!etat.en_attente !== (statut.dataset.enAttente === "1")) {
            window.location.reload();
          } else if (essais < 120) {
            window.setTimeout(suivre, Math.min(1000 * essais, 5000));
          }
        })
        .catch(function () { if (essais < 120) { window.setTimeout(suivre, 5000); } });
    };
    window.setTimeout(suivre, 1000);
  }

  // A DMP import: follow its progress, then show the report.
  var suivi = document.getElementById("suivi-import");
  if (suivi) {
    var barre = document.getElementById("progression-import");
    var tours = 0;
    var interroger = function () {
      tours += 1;
      fetch(suivi.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (reponse) { return reponse.json(); })
        .then(function (etat) {
          if (etat.etat !== suivi.dataset.etat || (etat.total && !barre)) {
            window.location.reload();
            return;
          }
          if (barre) {
            barre.max = etat.total;
            barre.value = etat.traites;
            var libelle = suivi.querySelector("label[for=progression-import]");
            if (libelle) { libelle.textContent = libelle.textContent.replace(/^\d+/, String(etat.traites)); }
          }
          if (tours < 600) { window.setTimeout(interroger, 1000); }
        })
        .catch(function () { if (tours < 600) { window.setTimeout(interroger, 5000); } });
    };
    window.setTimeout(interroger, 1000);
  }

  var formulaire = document.getElementById("form-depot");
  if (formulaire && window.XMLHttpRequest && window.FormData) {
    formulaire.addEventListener("submit", function (evenement) {
      var zone = document.getElementById(formulaire.dataset.progression);
      var barre = zone && zone.querySelector("progress");
      if (!barre) { return; }
      evenement.preventDefault();
      zone.hidden = false;
      var requete = new XMLHttpRequest();
      requete.open("POST", formulaire.action || window.location.href);
      requete.setRequestHeader("X-Requested-With", "XMLHttpRequest");
      requete.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) { barre.value = Math.round((100 * e.loaded) / e.total); }
      });
      requete.addEventListener("load", function () {
        var reponse = null;
        try { reponse = JSON.parse(requete.responseText); } catch (e) { reponse = null; }
        if (requete.status < 400 && reponse && reponse.suite) {
          window.location.assign(reponse.suite);
        } else {
          document.open();
          document.write(requete.responseText);
          document.close();
        }
      });
      requete.send(new FormData(formulaire));
    });
  }
})();
