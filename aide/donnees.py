"""The help centre's first questions, loaded once by migration 0002. After that the questions
are data: operators edit them in the admin (a change here would not reach a running site)."""

from __future__ import annotations

# (theme, question, answer): answers true to this product (docs/PLATFORM.md, PROFIL.md,
# PROFESSIONNELS.md, DOCUMENTS.md, EXPORT.md, IMPORT_DMP.md, MESSAGERIE.md, AGENDA.md).
QUESTIONS: list[tuple[str, str, str]] = [
    (
        "activation",
        "J'ai perdu mon code d'activation, ou il a expiré. Comment en obtenir un autre ?",
        "Le code d'activation vous est envoyé par votre caisse d'assurance maladie. Il est "
        "valable six semaines et se bloque après cinq essais erronés.\n\n"
        "S'il est perdu, expiré ou bloqué, demandez-en un nouveau à votre caisse d'assurance "
        "maladie : l'ancien code ne servira plus. Vous pouvez aussi nous écrire avec le "
        "formulaire de contact, sujet « Activation de mon espace ».",
    ),
    (
        "activation",
        "Comment activer mon espace santé ?",
        "Choisissez « Activer mon espace » sur la page d'accueil. Saisissez votre numéro de "
        "sécurité sociale (INS), votre date de naissance et le code d'activation reçu, puis "
        "choisissez votre adresse e-mail et votre mot de passe dans le quart d'heure qui suit. "
        "Vous configurez ensuite la double authentification avec une application sur votre "
        "téléphone.",
    ),
    (
        "activation",
        "Je ne veux pas d'espace santé. Comment m'y opposer ?",
        "Tant que votre espace n'est pas activé, vous pouvez vous opposer à sa création : sur "
        "la page d'activation, saisissez votre numéro de sécurité sociale, votre date de "
        "naissance et votre code, puis choisissez « Je m'oppose à la création de mon espace ».\n\n"
        "Aucun document ni aucun compte n'est alors conservé.\n\n"
        "Si vous changez d'avis, votre caisse d'assurance maladie lève l'opposition et vous "
        "envoie un nouveau code.",
    ),
    (
        "compte",
        "J'ai perdu mon téléphone et je n'ai plus accès à la double authentification.",
        "Connectez-vous avec votre adresse e-mail et votre mot de passe, puis, à la place du "
        "code de l'application, saisissez l'un de vos codes de récupération. Une fois connecté, "
        "ouvrez Paramètres, puis « Double authentification et codes de récupération », et "
        "configurez votre nouveau téléphone.\n\n"
        "Si vous n'avez plus vos codes de récupération, écrivez-nous avec le formulaire de "
        "contact, sujet « Connexion, mot de passe, double authentification ».",
    ),
    (
        "compte",
        "À quoi servent les codes de récupération ?",
        "Ce sont dix codes à usage unique, donnés quand vous activez la double authentification. "
        "Chacun remplace une fois le code de votre application, si vous n'avez plus votre "
        "téléphone. Gardez-les en lieu sûr, hors de votre téléphone, par exemple imprimés.\n\n"
        "Vous pouvez les revoir ou en générer de nouveaux dans Paramètres, « Double "
        "authentification et codes de récupération » : les anciens ne servent alors plus.",
    ),
    (
        "compte",
        "J'ai oublié mon mot de passe.",
        "Sur la page de connexion, choisissez « Mot de passe oublié ». Vous recevez un lien par "
        "e-mail pour en choisir un nouveau. La double authentification vous sera toujours "
        "demandée ensuite.",
    ),
    (
        "compte",
        "Comment changer mon adresse e-mail ou mon numéro de téléphone ?",
        "Ouvrez Paramètres, rubrique « Mon compte ». Pour une nouvelle adresse e-mail, nous "
        "envoyons un lien de confirmation à cette nouvelle adresse : elle ne remplace l'ancienne "
        "qu'une fois le lien ouvert, et l'ancienne adresse en est prévenue. Vous y choisissez "
        "aussi les e-mails que vous recevez.",
    ),
    (
        "documents",
        "Qui peut voir mes documents ?",
        "Vous, et les professionnels de santé à qui vous avez donné accès, ainsi que votre "
        "médecin traitant. Chaque professionnel ne voit que les types de documents que sa "
        "profession peut lire : un chirurgien-dentiste ne lit pas vos directives anticipées, par "
        "exemple.\n\n"
        "Un document que vous masquez n'est plus visible des professionnels, sauf de celui qui "
        "l'a déposé. Chaque consultation est inscrite dans votre historique.",
    ),
    (
        "documents",
        "Comment supprimer un document ?",
        "Ouvrez le document et choisissez « Supprimer ». Il reste 30 jours dans la corbeille, "
        "d'où vous pouvez le restaurer ; ensuite il est effacé définitivement. Si vous voulez "
        "seulement que les professionnels ne le voient plus, masquez-le plutôt.",
    ),
    (
        "documents",
        "Comment récupérer les documents de mon ancien DMP ?",
        "Téléchargez l'archive de votre dossier médical partagé (DMP), puis, dans Documents, "
        "choisissez « Importer mon DMP » et déposez cette archive. L'import se fait en arrière-"
        "plan ; la page affiche ensuite le compte rendu : documents importés, déjà présents, ou "
        "à vérifier.",
    ),
    (
        "professionnels",
        "Comment bloquer un professionnel de santé ?",
        "Ouvrez « Mes professionnels de santé » et choisissez « Bloquer » à côté de son nom. "
        "Votre mot de passe vous est redemandé. Un professionnel bloqué ne voit plus rien de "
        "votre espace, même en urgence. Votre médecin traitant ne peut pas être bloqué : "
        "retirez-le d'abord comme médecin traitant.",
    ),
    (
        "professionnels",
        "Qu'est-ce que l'accès en urgence ?",
        "En cas d'urgence, un professionnel de santé peut ouvrir votre dossier sans votre accord "
        "préalable, en donnant un motif. L'accès dure quelques heures, vous en êtes prévenu "
        "aussitôt par e-mail, et il apparaît dans votre historique avec son motif.\n\n"
        "Il est permis par défaut. Vous pouvez le refuser dans « Mes professionnels de santé » : "
        "les accès en urgence en cours prennent alors fin.",
    ),
    (
        "professionnels",
        "Comment savoir qui a consulté mon dossier ?",
        "L'historique de votre espace liste chaque consultation, dépôt et décision : qui, "
        "quand, et de quelle façon (site, logiciel du professionnel, urgence). Vous pouvez aussi "
        "recevoir un e-mail la première fois qu'un professionnel consulte votre dossier.",
    ),
    (
        "enfants",
        "Comment gérer l'espace santé de mon enfant ?",
        "En tant que représentant légal, vous activez l'espace de votre enfant depuis votre "
        "propre espace, avec le code reçu pour lui. Vous passez ensuite d'un espace à l'autre "
        "avec « Changer d'espace », en haut des pages.\n\n"
        "La représentation prend fin à la majorité : votre enfant active alors son propre accès "
        "avec un nouveau code. Certains documents peuvent rester secrets pour les représentants "
        "légaux, à la demande de l'adolescent.",
    ),
    (
        "messagerie",
        "À qui puis-je écrire avec la messagerie ?",
        "Aux professionnels qui ont accès à votre dossier et à votre médecin traitant. Vos "
        "messages sont chiffrés. Quand un professionnel vous écrit, vous recevez un e-mail qui "
        "dit seulement qu'un message vous attend, sans son contenu.",
    ),
    (
        "messagerie",
        "Comment recevoir un rappel avant un rendez-vous ?",
        "Dans Agenda, en ajoutant ou en modifiant un rendez-vous, choisissez jusqu'à trois "
        "rappels : quelques minutes, heures ou jours avant. Ils vous sont envoyés par e-mail. "
        "Par défaut, l'e-mail ne donne pas le détail du rendez-vous : "
        "vous pouvez l'activer en bas de la page Agenda.",
    ),
    (
        "donnees",
        "Comment télécharger toutes mes données ?",
        "Dans Paramètres, choisissez « Demander un export de mes données ». Vous recevez un "
        "e-mail quand l'archive est prête : elle contient vos documents, votre profil médical, "
        "une synthèse lisible en PDF et un fichier au format FHIR pour les logiciels de santé. "
        "Le lien de téléchargement est valable sept jours.",
    ),
    (
        "donnees",
        "Comment clôturer mon espace santé ?",
        "Dans Paramètres, choisissez « Clôturer mon espace santé ». Votre mot de passe et une "
        "confirmation vous sont demandés. Le contenu est archivé dix ans : vous pouvez encore "
        "vous connecter pour le lire et rouvrir votre espace. Si vous demandez aussi la "
        "suppression, tout est effacé dans les trois mois.",
    ),
    (
        "donnees",
        "Mes données sont-elles protégées ?",
        "Vos documents et ce que vous écrivez dans votre profil médical sont chiffrés. La "
        "connexion demande votre mot de passe et une double authentification. Les opérateurs "
        "de l'Assurance Maladie gèrent les comptes sans lire le contenu de santé.",
    ),
    (
        "accessibilite",
        "Le site est-il accessible avec un lecteur d'écran ?",
        "Le site est conçu pour fonctionner au clavier, avec un lecteur d'écran, sans "
        "JavaScript et sur un téléphone. Il est partiellement conforme au référentiel "
        "d'accessibilité (RGAA) : la déclaration d'accessibilité détaille ce qui est vérifié et "
        "ce qui ne l'est pas encore. Signalez-nous toute difficulté avec le formulaire de "
        "contact, sujet « Accessibilité ».",
    ),
]
