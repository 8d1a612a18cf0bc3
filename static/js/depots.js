// A professional's deposit: follow its state until the ingestion job has decided (accepted or
// refused), by fetching the state's fragment into the page's live region. The page works
// without this file (its "Actualiser" link).
(function () {
  "use strict";

  var zone = document.getElementById("etat-depot");
  var enCours = function () {
    var etat = zone && zone.firstElementChild;
    return !!etat && etat.dataset.enCours === "1";
  };
  if (!zone || !zone.dataset.url || !enCours()) { return; }
  var essais = 0;
  var suivre = function () {
    essais += 1;
    fetch(zone.dataset.url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (reponse) {
        if (!reponse.ok) { throw new Error(String(reponse.status)); }
        return reponse.text();
      })
      .then(function (html) {
        var modele = document.createElement("template");
        modele.innerHTML = html.trim();
        var nouvel = modele.content.firstElementChild;
        if (nouvel && nouvel.dataset.statut !== zone.firstElementChild.dataset.statut) {
          zone.replaceChildren(nouvel);
        }
        if (enCours() && essais < 120) { window.setTimeout(suivre, Math.min(1000 * essais, 5000)); }
      })
      .catch(function () { if (essais < 120) { window.setTimeout(suivre, 5000); } });
  };
  window.setTimeout(suivre, 1000);
})();
